"""The command line: each command parses its options, makes one library call and renders.

This is the only module that knows click. User errors (:class:`ArchiveError`) are turned into one
line on stderr and an exit status here, once.
"""

from __future__ import annotations

import gc
import os
import select
import sqlite3
import sys
from itertools import takewhile
from typing import IO, Any

import click

from archive.api import Archive
from archive.errors import ArchiveError, BusyError, locked_by_another, refused_write
from archive.names import readable, shown
from archive.readstore import RefKind
from archive.storefile import DAMAGED_HINT, damaged_message

INTERNAL_ERROR = 70
# The status of a Unix tool killed by SIGPIPE (128 + 13): the reader stopped reading (`| head`).
CLOSED_PIPE = 141
# How many families `provenance --families` lists unless told.
FAMILIES_SHOWN = 50
# Files of no format read, skipped inside folders: how many a note names.
_SKIPPED_SHOWN = 5


class ArchiveGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # what is still buffered (CSV) fails here, not at the interpreter's exit
            return result
        except ArchiveError as exc:
            click.echo(f"archive: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("archive: interrupted", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # a bug: say so in one line; the traceback only on request
            if isinstance(exc, BrokenPipeError) and reader_gone(sys.stdout):  # `| head`: the end, quietly
                _discard_stdout()
                ctx.exit(CLOSED_PIPE)
            if os.environ.get("ARCHIVE_DEBUG"):
                raise
            refusal = refused_write(exc)
            if refusal:  # the machine's doing, not a bug: the batches written so far stand
                click.echo(f"archive: error: {refusal}", err=True)
                ctx.exit(1)
            locked = locked_by_another(exc)
            if locked:  # another program's transaction outlasted the busy timeout: a wait, as for the lock file
                click.echo(f"archive: error: {locked}", err=True)
                ctx.exit(BusyError.exit_code)
            damage = exc if isinstance(exc, sqlite3.DatabaseError) else getattr(exc, "orig", None)
            if type(damage) is sqlite3.DatabaseError and ctx.obj is not None:  # damage, not a bug
                click.echo(f"archive: error: {damaged_message(ctx.obj.home.db_path, damage)}", err=True)
                ctx.exit(1)
            click.echo(
                f"archive: internal error: {type(exc).__name__}: {exc} "
                f"(set ARCHIVE_DEBUG=1 to see the traceback, and please report it)",
                err=True,
            )
            ctx.exit(INTERNAL_ERROR)


def reader_gone(stream: IO[str]) -> bool:
    """Whether ``stream`` is a pipe whose reader has gone (it polls as an error then): a broken
    pipe elsewhere (a worker's) is a bug to report, not the end of the output."""
    try:
        poller = select.poll()
        poller.register(stream.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll (Windows), no descriptor (captured output)
        return True


def _discard_stdout() -> None:
    """Send the rest of standard output to /dev/null: what is buffered for the closed pipe would
    fail again when Python flushes it at exit, with a message of its own."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor (output captured in a test)
        pass


@click.group(cls=ArchiveGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home", envvar="ARCHIVE_HOME", type=click.Path(file_okay=False), default=None,
    help="Folder of the archive (archive.db and index/). Default: $ARCHIVE_HOME, "
    "else ~/.local/share/archive.",
)
@click.option("--wait", type=float, default=60.0, show_default=True,
              help="Seconds to wait for another writer before giving up.")
@click.version_option(package_name="archive")
@click.pass_context
def cli(ctx: click.Context, home: str | None, wait: float) -> None:
    """A searchable news archive with provenance."""
    ctx.obj = Archive(home, lock_wait=wait)
    ctx.call_on_close(ctx.obj.close)


def _source_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--source's value, stripped, its bytes that are not UTF-8 written as names.readable does;
    an empty name is refused rather than stored."""
    if value is None:
        return None
    name = " ".join(readable(value).split())
    if not name:
        raise click.BadParameter("needs a publisher's name, e.g. --source Reuters")
    return name


def _id_prefix(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--id-prefix's value: one word (it starts every external id), refused empty; its bytes that
    are not UTF-8 written as names.readable does (as those of a file name in an id are)."""
    if value is None:
        return None
    if not value.strip() or any(c.isspace() for c in value):
        raise click.BadParameter("needs one word without spaces, e.g. --id-prefix kaggle-atn")
    return readable(value)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-q", "--quiet", is_flag=True, help="No progress and no per-file messages.")
@click.option("--source", "default_source", metavar="NAME", callback=_source_name,
              help="Publisher of the records that name none (a folder of one outlet's articles); "
                   "records that name one keep theirs, and a record's address names its site.")
@click.option("--id-prefix", metavar="PREFIX", callback=_id_prefix,
              help="Put PREFIX: before every external id of this ingest (two datasets that both number "
                   "their records 1, 2, 3... would otherwise replace each other's documents).")
@click.pass_obj
def ingest(archive: Archive, paths: tuple[str, ...], quiet: bool, default_source: str | None,
           id_prefix: str | None) -> None:
    """Ingest files and folders (recursively); '-' reads standard input.

    Formats: .txt, .html/.htm, .mhtml (a saved page), .json/.jsonl (one article per object),
    .warc/.wacz, .csv/.tsv (one per row), .rss/.atom/.xml feeds (one per entry), and .gz of each.
    Re-ingesting unchanged content adds nothing; changed content updates its document.

    Name the publisher with --source when the files do not: provenance never makes one text of an
    outlet the source of another (a newsroom's rewordings of its own story are its follow-ups and
    corrections), so without it a wire's follow-ups can read as rewrites of one another. A
    document stored without a publisher takes the one named later.
    """
    from archive.render import ProgressLine

    progress = ProgressLine(enabled=None if not quiet else False)
    if progress.enabled and "-" not in paths:
        from archive.ingest.readers import iter_input_files

        progress.total_files = sum(1 for item in iter_input_files(list(paths)) if isinstance(item, tuple))
    stdin = sys.stdin.buffer if "-" in paths else None
    summary = archive.ingest(list(paths), stdin=stdin, progress=progress, default_source=default_source,
                             id_prefix=id_prefix)
    progress.done()
    for failure in summary.failures:
        click.echo(f"archive: failed: {failure}", err=True)
    if not quiet:
        for origin, names in sorted(summary.unknown_fields.items()):
            click.echo(f"archive: note: {shown(origin)}: fields not understood (kept in raw_meta): "
                       f"{', '.join(sorted(names))}", err=True)
        if summary.replaced_elsewhere:
            click.echo(f"archive: note: {_plural(len(summary.replaced_elsewhere), 'record')} took the external id "
                       f"of a document read from another file and replaced its text (first: "
                       f"{summary.replaced_elsewhere[0]}); if they are other articles, ingest one of the files "
                       f"again with --id-prefix", err=True)
        if summary.repeated_ids:
            click.echo(f"archive: note: {_plural(len(summary.repeated_ids), 'record')} repeated the id of another "
                       f"with other text, and only the later was kept (first: {summary.repeated_ids[0]})", err=True)
        if summary.summaries_only:
            click.echo(f"archive: note: {_plural(summary.summaries_only, 'feed entry', 'feed entries')} carried only "
                       f"a summary, stored as the text (raw_meta.text_is_summary); the full article is on its page "
                       f"(url)", err=True)
        _note_records(summary.unreadable_dates, "record", "had a date that could not be read, stored undated with "
                      "the value in raw_meta.published_raw", summary.first_unreadable_date)
        _note_records(summary.mended_records, "record", "held lone UTF-16 surrogates (half a character, e.g. JSON's "
                      "\\ud800), stored as U+FFFD and counted in raw_meta.lone_surrogates_replaced", summary.first_mended_record)
        _note_records(summary.merged_rows, "table row", "held what looks like the next rows, merged into it by a "
                      "quote left open (raw_meta.unclosed_quote); close the quote and ingest the file again",
                      summary.first_merged_row)
        _note_records(summary.repeated_columns, "table row", "had a cell in a column named as an earlier one, "
                      "which gave the field; kept in raw_meta.repeated_columns", summary.first_repeated_column)
        _note_records(summary.extra_cells, "table row", "had more cells than the header has names; the others "
                      "kept in raw_meta.extra_cells", summary.first_extra_cells)
        if summary.skipped:
            listed = ", ".join(map(shown, summary.skipped[:_SKIPPED_SHOWN]))
            more = f" and {len(summary.skipped) - _SKIPPED_SHOWN} more" if len(summary.skipped) > _SKIPPED_SHOWN else ""
            files = "file" if len(summary.skipped) == 1 else "files"
            click.echo(f"archive: note: skipped {len(summary.skipped)} {files} in the folders, of unknown type, "
                       f"tables without a text column or XML that is no feed (name a file to read it anyway): "
                       f"{listed}{more}", err=True)
    click.echo(
        f"added {summary.added}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"failed {summary.failed}"
    )
    if summary.provenance is not None and not quiet:
        _say_provenance(summary.provenance)
    if summary.failed:
        sys.exit(1)


def _say_provenance(change: Any) -> None:
    """How provenance was brought up to date (a ProvenanceChange), on stderr."""
    scope = (f"all {change.documents} documents recomputed" if change.mode == "full"
             else f"{change.examined} of {change.documents} documents examined")
    click.echo(f"provenance: {change.links} links, copy and related; {scope}; {_link_changes(change)}", err=True)


def _link_changes(change: Any) -> str:
    """The stored links a provenance update wrote (not documents: those it examined are counted
    apart, and a removal's own links are gone before it runs)."""
    return f"links {change.inserted} new, {change.updated} changed, {change.deleted} removed"


def _note_records(count: int, thing: str, what: str, first: str | None) -> None:
    """A note on stderr that ``count`` records (``thing``s) ``what``, naming the first, if any did."""
    if count:
        click.echo(f"archive: note: {_plural(count, thing)} {what} (first: {first})", err=True)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


def _ref_kind(ids: bool, external_ids: bool, names: tuple[str, str]) -> RefKind:
    """What the references are, from the options that say it (``names``: theirs)."""
    _exclusive(dict(zip(names, (ids, external_ids))))
    return "id" if ids else "external_id" if external_ids else None


@cli.command()
@click.argument("refs", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="List what would be removed; change nothing.")
@click.option("--ids", is_flag=True, help="Every REF is a document id (`id` in SQL).")
@click.option("--external-ids", is_flag=True,
              help="Every REF is an external id (the input's own id, or its file's path), digits too.")
@click.option("-q", "--quiet", is_flag=True, help="Only the summary line.")
@click.pass_obj
def remove(archive: Archive, refs: tuple[str, ...], dry_run: bool, ids: bool, external_ids: bool,
           quiet: bool) -> None:
    """Remove documents by id or external id; '-' reads them from standard input, one a line.

    Each document goes with its links, fingerprint, story, flags and index entry, all in one
    transaction: an unknown id removes nothing, and so does a number that is one document's id
    and another's external id (inputs that number their records 1, 2, 3) unless --ids or
    --external-ids says which every REF is. The documents that were linked to a removed one are
    then linked again without it. Re-ingesting a removed file adds it back.

    \b
      archive remove 42 reuters-1987-0042
      sqlite3 archive.db "SELECT id FROM documents WHERE source = 'spamfarm'" | archive remove --ids -
      sqlite3 archive.db "SELECT external_id FROM documents WHERE ..." | archive remove --external-ids -
    """
    by = _ref_kind(ids, external_ids, ("--ids", "--external-ids"))
    wanted = [ref for ref in refs if ref != "-"]
    if "-" in refs:
        wanted += sys.stdin.read().splitlines()
    result = archive.remove(wanted, dry_run=dry_run, by=by)
    if not quiet or dry_run:
        for doc in result.documents:
            title = (doc.title or "").replace("\n", " ")
            click.echo(f"{'would remove' if dry_run else 'removed'} #{doc.id} {doc.external_id}"
                       + (f"  {title[:70]}" if title else ""))
    documents, links = _plural(len(result.documents), "document"), _plural(result.links, "link")
    linked = _plural(result.relinked, "document")
    if dry_run:
        click.echo(f"would remove {documents} and {links}; {linked} linked to them would be linked again")
        return
    click.echo(f"removed {documents} and {links}; {linked} linked to them linked again")
    if result.provenance is not None and not quiet:
        _say_provenance(result.provenance)


@cli.command()
@click.argument("ref")
@click.option("--id", "is_id", is_flag=True, help="REF is a document id (`id` in SQL).")
@click.option("--external-id", "is_external_id", is_flag=True,
              help="REF is an external id (the input's own id, or its file's path), digits too.")
@click.option("--json", "as_json", is_flag=True, help="Print the document as JSON.")
@click.pass_obj
def show(archive: Archive, ref: str, is_id: bool, is_external_id: bool, as_json: bool) -> None:
    """Show one document, by id or external id.

    A number is read as an id first; when it is also another document's external id, a note on
    stderr names that one, which --external-id shows.
    """
    from archive import render

    by = _ref_kind(is_id, is_external_id, ("--id", "--external-id"))
    doc, provenance, other = archive.document_with_provenance(ref, by=by)
    if other is not None:
        _say_also_named(ref, doc.id, other, f"`archive show --external-id {ref}` shows that one")
    click.echo(render.to_json({**doc.as_dict(), "provenance": provenance}) if as_json
               else render.document_text(doc, provenance))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_obj
def stats(archive: Archive, as_json: bool) -> None:
    """Counts of documents by source, year, language and input format."""
    from archive import render

    counts = archive.stats()
    click.echo(render.to_json(counts) if as_json else render.stats_text(counts))


@cli.command()
@click.option("--run", type=int, help="Ingest run id (default: the latest run that had failures).")
@click.option("-n", "--limit", type=click.IntRange(1), default=100, show_default=True,
              help="How many failures to list, in the order they were met.")
@click.option("--json", "as_json", is_flag=True, help="Print them as JSON.")
@click.pass_obj
def failures(archive: Archive, run: int | None, limit: int, as_json: bool) -> None:
    """Files and records an ingest could not read, and why."""
    from archive import render

    rows = archive.failures(run, limit)
    if as_json:
        click.echo(render.to_json(rows))
    elif not rows:
        click.echo("no recorded failures" + (f" in run {run}" if run is not None else ""))
    else:
        click.echo(render.table([(r["run_id"], shown(r["path"]), r["record"], r["reason"]) for r in rows],
                                ("run", "path", "record", "reason")))


class _SearchCommand(click.Command):
    """A command whose argument is a query, which may start with "-" (``-cocoa coffee``): click
    reads that as options (``-c -o -c ...``) unless it follows "--", and then says so."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # (click's parser consumes the list)
        try:
            return super().parse_args(ctx, args)
        except (click.NoSuchOption, click.BadParameter) as exc:
            query = _query_read_as_options(given, exc)
            if query is None:
                raise
            import shlex  # (only for this message)

            raise click.UsageError(f'a query that starts with "-" needs "--" before it: '
                                   f"{ctx.command_path} -- {shlex.quote(query)}", ctx) from exc


def _query_read_as_options(args: list[str], exc: click.UsageError) -> str | None:
    """The argument that click took for short options and failed on (``-cocoa`` as ``-c``,
    ``-nuclear`` as ``-n uclear``), or None when the error is about something else."""
    if isinstance(exc, click.NoSuchOption):
        names, alone = [exc.option_name], True  # ("-x" alone is a query too)
    elif isinstance(exc, click.BadParameter) and isinstance(exc.param, click.Option):
        names, alone = [name for name in exc.param.opts if len(name) == 2], False  # ("-n x" is a bad value)
    else:
        return None
    for arg in takewhile(lambda arg: arg != "--", args):
        if not arg.startswith("--") and any(arg.startswith(name) and (alone or arg != name) for name in names):
            return arg
    return None


@cli.command(cls=_SearchCommand)
@click.argument("query")
@click.option("--since", help="Only documents published on or after this date (YYYY[-MM[-DD]]).")
@click.option("--until", help="Only documents published up to this date, inclusive.")
@click.option("--sort", type=click.Choice(["relevance", "date", "-date"]), default="relevance",
              show_default=True, help="Ranking: BM25F relevance, oldest first, or newest first.")
@click.option("-n", "--limit", type=click.IntRange(0, 10_000), default=10, show_default=True,
              help="How many hits to show (0: only the total, and any facets).")
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True,
              help="Skip this many hits first: --offset 10 shows the second page of ten.")
@click.option("--facet", "facets", multiple=True, type=click.Choice(["source", "year"]),
              help="Also count matches by source or year (repeatable).")
@click.option("--collapse", is_flag=True,
              help="One match per copy family (an original and its copies): the best-ranked one; "
                   "--limit and --offset count families.")
@click.option("--count", "count_only", is_flag=True,
              help="Print only the number of matches (with --json: {\"total\": N}).")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Output one JSON object per hit.")
@click.option("--csv", "as_csv", is_flag=True, help="Output CSV.")
@click.pass_obj
def search(archive: Archive, query: str, since: str | None, until: str | None, sort: str,
           limit: int, offset: int, facets: tuple[str, ...], collapse: bool, count_only: bool,
           as_json: bool, as_jsonl: bool, as_csv: bool) -> None:
    """Full-text search. See the README for the query language, e.g.

    \b
      archive search '"oil prices" AND title:opec'
      archive search 'source:reuters coffee -brazil' --sort -date
      archive search 'published:[1987-03-01 TO 1987-03-15] "trade deficit"~3'

    A query that starts with "-" goes after "--", which ends the options:

    \b
      archive search -- '-cocoa coffee'
    """
    from archive import render

    _exclusive({"--json": as_json, "--jsonl": as_jsonl, "--csv": as_csv})
    rows = {"--jsonl": as_jsonl, "--csv": as_csv}
    if facets:
        _refuse_with("--facet", rows, "they print a row per hit; facets come with text or --json")
    if count_only:
        _refuse_with("--count", {"--facet": bool(facets), "--collapse": collapse, **rows},
                     "it prints the number of matching documents, alone or as --json")
        counted = archive.counted(query, since=since, until=until)
        for warning in counted.warnings:
            click.echo(f"archive: warning: {warning}", err=True)
        click.echo(render.to_json({"total": counted.total, "warnings": counted.warnings}) if as_json
                   else counted.total)
        return
    results = archive.search(query, since=since, until=until, sort=sort, limit=limit,
                             offset=offset, facets=facets, snippets=True, collapse=collapse)
    for warning in results.warnings:
        click.echo(f"archive: warning: {warning}", err=True)
    if as_json:
        click.echo(render.search_json(results))
    elif as_jsonl:
        for hit in results.hits:
            click.echo(render.to_json_line(render.hit_row(hit)))
    elif as_csv:
        render.search_csv(results, sys.stdout)
    else:
        click.echo(render.search_text(results, offset=offset, color=sys.stdout.isatty(), collapsed=collapse))


def _exclusive(options: dict[str, bool]) -> None:
    """Refuse options that each ask for another thing (click would keep the last one given)."""
    given = [name for name, on in options.items() if on]
    if len(given) > 1:
        raise click.UsageError(f"{_listed(given, 'and')} cannot be used together")


def _refuse_with(option: str, others: dict[str, bool], reason: str) -> None:
    """Refuse any of ``others`` given with ``option``, which would ignore them, and say why."""
    given = [name for name, on in others.items() if on]
    if given:
        raise click.UsageError(f"{option} cannot be used with {_listed(given, 'or')}: {reason}")


def _listed(names: list[str], conjunction: str) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


@cli.command()
@click.argument("ref", required=False)
@click.option("--evidence", is_flag=True,
              help="Show aligned passages side by side, substitutions marked [[...]] and differing figures {{...}}.")
@click.option("--json", "as_json", is_flag=True, help="Output the family as JSON (the same as --format json).")
@click.option("--format", "fmt", type=click.Choice(["tree", "json", "dot"]), default=None,
              help="tree for people (the default), json for programs, dot for Graphviz.")
@click.option("--families", "list_families", is_flag=True,
              help=f"List the families (stories with 2+ documents), largest first: the first {FAMILIES_SHOWN}, "
                   "or as many as --limit says.")
@click.option("--limit", type=click.IntRange(0), default=None,
              help=f"With --families: how many, 0 for all (default {FAMILIES_SHOWN}).")
@click.option("--nearest", type=click.IntRange(1, 100), metavar="N",
              help="List the N texts nearest REF as the candidate search ranks them, linked or not "
                   "(leads when it has no source).")
@click.option("--refresh", is_flag=True, help="Recompute provenance for the whole archive first.")
@click.pass_obj
def provenance(archive: Archive, ref: str | None, evidence: bool, as_json: bool, fmt: str | None,
               list_families: bool, limit: int | None, nearest: int | None, refresh: bool) -> None:
    """Where a document came from and who copied it: its family as a tree.

    REF is a document id or external id. The original is on top; below it what derives from it,
    each with relation, score, direction confidence and one line of evidence. With --nearest N,
    the N texts nearest it instead, each with its link to it, if any.
    """
    from archive import render

    if as_json and fmt not in (None, "json"):
        raise click.UsageError(f"--json and --format {fmt} cannot be used together")
    fmt = "json" if as_json else fmt or "tree"
    _check_provenance_options(ref, fmt, evidence, list_families, limit, nearest, refresh)
    if refresh:
        change = archive.refresh_provenance()
        click.echo(f"provenance: {change.links} links, copy and related, over {change.documents} documents; "
                   f"{_link_changes(change)}", err=True)
        if ref is None and not list_families:
            return
    if list_families:
        families = archive.families(limit=FAMILIES_SHOWN if limit is None else limit or None)  # 0: all
        click.echo(render.families_json(families) if fmt == "json" else render.families_text(families))
        return
    assert ref is not None  # (checked above)
    shown, other = archive.also_named(ref)
    if other is not None:
        _say_also_named(ref, shown.id, other, f"`archive provenance {other.id}` shows that one's")
    if nearest is not None:
        focus, near = archive.nearest(ref, nearest)
        click.echo(render.nearest_json(focus, near) if fmt == "json" else render.nearest_text(focus, near))
        return
    family = archive.family(ref)
    if not family.linked:
        click.echo(f"archive: note: #{family.focus} is not linked: it, or a document it was linked to, was added, "
                   "changed or deleted after provenance was last updated (an edit made in SQL, or a run stopped "
                   "before linking); the next ingest or `archive provenance --refresh` links it", err=True)
    if fmt == "json":
        click.echo(render.family_json(family))
    elif fmt == "dot":
        click.echo(render.family_dot(family))
    else:
        width = click.get_terminal_size()[0] if sys.stdout.isatty() else 120
        click.echo(render.family_tree(family, evidence=evidence, width=width))


def _say_also_named(ref: str, shown_id: int, other: Any, hint: str) -> None:
    """A note on stderr that the number ``ref``, read as document ``shown_id``'s id, is also
    ``other``'s external id: the user may have meant that one (inputs numbering records 1, 2, 3)."""
    title = " ".join((other.title or "").split())[:70]
    click.echo(f"archive: note: {ref} is the id of #{shown_id}, shown, and the external id of #{other.id}"
               f"{f' ({title})' if title else ''}; {hint}", err=True)


def _check_provenance_options(ref: str | None, fmt: str, evidence: bool, list_families: bool, limit: int | None,
                              nearest: int | None, refresh: bool) -> None:
    """Refuse what asks provenance for two things at once, or for options the thing asked for
    would ignore; before --refresh, which takes minutes."""
    if nearest is not None and (list_families or evidence or fmt == "dot"):
        raise click.UsageError("--nearest lists texts near one document (as text or --json): "
                               "not with --families, --evidence or --format dot")
    if list_families:
        if ref is not None:
            raise click.UsageError("give a document id or --families, not both")
        if fmt == "dot":
            raise click.UsageError("--format dot draws one family: give a document id (--families takes tree or json)")
        if evidence:
            raise click.UsageError("--evidence shows one family's passages: give a document id, not --families")
    else:
        if limit is not None:
            raise click.UsageError("--limit goes with --families: it says how many families to list")
        if ref is None and (not refresh or nearest is not None or evidence):
            raise click.UsageError("give a document id, or --families")
    if evidence and fmt == "dot":
        raise click.UsageError("--evidence cannot be used with --format dot: the graph has no room for passages "
                               "(the tree shows them; --json holds them in links[].evidence)")


@cli.group()
def index() -> None:
    """The full-text index: rebuild it from the database, or check it against the database."""


@index.command("rebuild")
@click.pass_obj
def index_rebuild(archive: Archive) -> None:
    """Build a new index from the database beside the old one, then swap it in."""
    count = archive.rebuild_index()
    click.echo(f"index rebuilt: {count} documents")


@index.command("check")
@click.option("--no-repair", is_flag=True, help="Only report differences; change nothing.")
@click.option("--deep", is_flag=True,
              help="Also read every posting and stored document, to find damage inside the index's files "
                   "(6 s for the 19,043 Reuters stories).")
@click.pass_obj
def index_check(archive: Archive, no_repair: bool, deep: bool) -> None:
    """Compare the index with the database and repair any difference."""
    try:
        result = archive.check_index(repair=not no_repair, deep=deep)
    except OSError as exc:
        refusal = refused_write(exc)
        if refusal is None or no_repair:
            raise
        raise ArchiveError(f"{refusal}; `archive index check --no-repair` checks without writing") from exc
    drift = result.drift
    if result.applied:
        click.echo(f"applied {result.applied} queued change(s): documents added, changed or removed in the "
                   "database since the index last committed")
    click.echo(f"database: {result.documents} documents; index: {result.indexed} documents")
    if result.postings_read is not None:
        click.echo(f"read all of the index: {result.postings_read} postings and every stored document, undamaged")
    if result.older_word_rule:
        click.echo("archive: note: the index splits words by an older rule: accented Latin words are found "
                   "only as written (zurich does not find Zürich), and in indexes older still, words inside "
                   "Chinese, Japanese or Thai text, Hindi words with vowel signs and full-width letters are not "
                   "found, until it is rebuilt: run `archive index rebuild`", err=True)
    if result.ok:
        click.echo("index is in step with the database")
        return
    if result.queued:
        click.echo(f"queued: {result.queued} change(s) made in the database (added, changed or removed documents) "
                   "that the index has not taken yet")
    if not drift.ok:
        click.echo(f"missing from index: {len(drift.missing)}; stale: {len(drift.stale)}; "
                   f"not in database: {len(drift.extra)}")
    if no_repair:
        click.echo("run `archive index check` to repair")
        sys.exit(1)
    click.echo(f"repaired {result.repaired} documents")


@cli.group()
def db() -> None:
    """The database: upgrade and check."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(archive: Archive) -> None:
    """Create or migrate the database to the newest schema (backing up an older one first)."""
    report = archive.upgrade()
    click.echo(f"{archive.home.db_path}: schema revision {report.revision}")


@db.command("check")
@click.pass_obj
def db_check(archive: Archive) -> None:
    """Check the database against the models, its FTS objects and triggers, for rows left by
    deleted documents, and by SQLite's integrity check.

    Read-only: a missing database is reported, not created, and an older one is not migrated.
    """
    report = archive.check_store()
    for problem in report.problems:
        click.echo(f"problem: {problem}")
    click.echo(f"{archive.home.db_path}: revision {report.revision}: " + ("ok" if report.ok else "NOT OK"))
    if not report.ok:
        if any(problem.startswith("SQLite integrity check") for problem in report.problems):
            click.echo(DAMAGED_HINT)
        sys.exit(1)


def main() -> None:
    try:
        cli(prog_name="archive")
    finally:
        # What is left now lives until the process ends: the cyclic garbage collector's passes at
        # exit would walk every object the imports made (modules, classes, functions), to free
        # next to nothing, ~15 ms of an `archive search`. Frozen objects are out of its sight.
        # Nothing is left for them to finalize: a command commits and closes what it writes.
        gc.freeze()
