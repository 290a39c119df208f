"""Related links join one event, not one topic: stories are connected components of all links,
so a template shared by different companies' news must not chain them into one story."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

from archive.provenance import DocInput, ProvenanceIndex, build
from archive.provenance.clusters import figures_differ, lead_of, protagonists, same_event
from archive.provenance.features import tokenize

T0 = datetime(1987, 3, 2, 9, 0, tzinfo=timezone.utc)

_PLACES = ["Ohio", "Texas", "Oregon", "Maine", "Nevada", "Utah", "Iowa", "Idaho", "Vermont", "Kansas"]
_THINGS = ["tractors", "paper", "cement", "apples", "cotton", "timber", "glass", "copper", "salt", "wool"]


def _background() -> list[DocInput]:
    """Unrelated texts, some in the filing template, so that the template's own names
    (the SEC, the underwriter) are common in the archive and company names are rare."""
    docs = []
    for i in range(60):
        place, thing = _PLACES[i % 10], _THINGS[(i * 3 + 1) % 10]
        text = (f"Farmers in {place} reported that {thing} output number {i} rose this season, "
                f"the {place} growers association said in a statement on Tuesday.")
        if i % 5 == 0:
            text += (" The association also filed papers with the Securities and Exchange Commission, "
                     "and Salomon Brothers Inc advised it.")
        docs.append(DocInput(1000 + i, text, None, T0 - timedelta(days=30), "Wire"))
    return docs


WITCO = ("Witco Corp said it filed with the Securities and Exchange Commission for an offering of "
         "150 mln dlrs of convertible subordinated debentures due 2012. Proceeds will be used to "
         "repay short-term debt and for general corporate purposes, the chemicals maker said. "
         "Salomon Brothers Inc will manage the offering, which is expected next week.")
ESSEX = ("Essex Chemical Corp said it has filed with the Securities and Exchange Commission for a "
         "proposed offering of 75 mln dlrs of convertible subordinated debentures due 2012. The company "
         "said proceeds will repay bank debt and fund general corporate purposes. Salomon Brothers Inc "
         "is expected to manage the offering next week.")
WITCO_PRICED = ("Witco Corp said its 150 mln dlr issue of convertible subordinated debentures due 2012 "
                "was priced on Monday to yield 5-1/2 pct, according to lead manager Salomon Brothers Inc. "
                "The chemicals maker registered the debentures with the Securities and Exchange Commission "
                "last week and plans to use the proceeds to pay off short-term borrowings.")


def _related(result, a: int, b: int) -> bool:
    return any({l.derived_id, l.source_id} == {a, b} and l.relation == "related" for l in result.links)


def test_templated_filings_by_different_companies_are_not_one_story() -> None:
    docs = _background() + [DocInput(1, WITCO, None, T0, "Reuters"),
                            DocInput(2, ESSEX, None, T0 + timedelta(hours=2), "Reuters")]
    result = build(docs)
    assert not _related(result, 1, 2)
    assert result.story_of[1] != result.story_of[2]


def test_two_reports_about_the_same_company_stay_related() -> None:
    docs = _background() + [DocInput(1, WITCO, None, T0, "Reuters"),
                            DocInput(3, WITCO_PRICED, None, T0 + timedelta(days=6), "Reuters")]
    result = build(docs)
    assert _related(result, 1, 3)
    assert result.story_of[1] == result.story_of[3]


def test_lead_names_and_figures() -> None:
    lead = lead_of("Witco Corp said it sold 150 mln dlrs of notes at 9-1/2 pct. Later text is ignored: Zeta.")
    names = lead_of("Witco").names
    assert np.isin(names, lead.names).all()  # a sentence-initial name counts
    assert not np.isin(lead_of("Zeta").names, lead.names).any()  # only the first sentence
    other = lead_of("Witco Corp said it sold 200 mln dlrs of notes.")
    assert figures_differ(lead, other)  # 150 mln against 200 mln: another issue
    assert not figures_differ(lead, lead_of("Witco Corp said its notes yield 9-1/2 pct, not 10."))


def test_lead_from_the_text_tokens_is_the_lead_tokenised_on_its_own() -> None:
    from archive.provenance.features import tokenize

    texts = [WITCO, WITCO_PRICED, "Witco", "", "x" * 398 + " ABCDEF ghi said Zeta.", "Word " * 100,
             "ΟΔΟΣ " * 90 + "ΟΔΟΣ", "İstanbul Corp said " + "a" * 500, "U.S. Fed adds reserves. Dr. Who? Yes. " * 20]
    for text in texts:
        alone, from_tokens = lead_of(text), lead_of(text, tokenize(text))
        assert np.array_equal(alone.names, from_tokens.names) and alone.slots == from_tokens.slots


def _protagonists(lead, rare: str) -> np.ndarray:
    """Archive frequencies for a lead's names: the words of ``rare`` are rare, the rest common."""
    rare_names = lead_of(rare).names
    df = np.where(np.isin(lead.names, rare_names), 1, 500)
    return protagonists(lead, df, 1000)


def test_same_event_needs_each_protagonist_both_ways() -> None:
    a = lead_of("Witco Corp said it filed with the Securities and Exchange Commission.")
    b = lead_of("Essex Chemical Corp said it filed with the Securities and Exchange Commission.")
    c = lead_of("Witco Corp priced its debentures, the Securities and Exchange Commission said.")
    rare = "Witco Essex Chemical"
    assert not same_event(a, _protagonists(a, rare), b, _protagonists(b, rare))
    assert same_event(a, _protagonists(a, rare), c, _protagonists(c, rare))
    # Names as common as "Corp" or the SEC are never protagonists.
    assert _protagonists(a, "").shape[0] == 0


def test_routine_reports_without_protagonist_are_one_event_only_within_a_day() -> None:
    a = lead_of("The Federal Reserve entered the market to add reserves, a spokesman said.")
    b = lead_of("The Federal Reserve entered the market to add reserves, a spokesman said today.")
    none = np.zeros(0, dtype=np.int64)
    assert same_event(a, none, b, none, gap_seconds=3600.0)
    assert same_event(a, none, b, none, gap_seconds=None)
    assert not same_event(a, none, b, none, gap_seconds=3 * 24 * 3600.0)


def test_same_company_months_apart_is_another_event() -> None:
    docs = _background() + [DocInput(1, WITCO, None, T0, "Reuters"),
                            DocInput(3, WITCO_PRICED, None, T0 + timedelta(days=60), "Reuters")]
    result = build(docs)
    assert not _related(result, 1, 3)
    assert result.story_of[1] != result.story_of[3]


def test_same_event_within_weeks_not_months() -> None:
    a = lead_of("Witco Corp said it filed with the Securities and Exchange Commission.")
    c = lead_of("Witco Corp priced its debentures, the Securities and Exchange Commission said.")
    pa, pc = _protagonists(a, "Witco"), _protagonists(c, "Witco")
    day = 24 * 3600.0
    assert same_event(a, pa, c, pc, gap_seconds=20 * day)
    assert same_event(a, pa, c, pc, gap_seconds=None)  # undated: names and figures decide
    assert not same_event(a, pa, c, pc, gap_seconds=45 * day)


def test_leads_on_different_months_are_different_reports() -> None:
    jan = lead_of("Japan's consumer price index fell 0.4 pct in January, the agency said.")
    feb = lead_of("Japan's consumer price index was unchanged in February, the agency said.")
    feb_again = lead_of("Japan's consumer prices were flat in February from\nJanuary, the agency said.")
    rare = "Japan"
    assert jan.months == {1} and feb.months == {2} and feb_again.months == {1, 2}
    assert not same_event(jan, _protagonists(jan, rare), feb, _protagonists(feb, rare))
    assert same_event(feb, _protagonists(feb, rare), feb_again, _protagonists(feb_again, rare))
    # "may" the verb is no month; "May" inside a sentence is.
    assert lead_of("Prices may rise, Witco Corp said on Friday.").months == frozenset()
    assert lead_of("Witco Corp said on May 4 it would sell notes.").months == {5}


def test_figures_in_words_are_figures() -> None:
    two = lead_of("The Federal Reserve arranged two billion dlrs of customer repurchase agreements.")
    digits = lead_of("The Federal Reserve arranged 2 billion dlrs of customer repurchase agreements.")
    other = lead_of("The Federal Reserve arranged 1.5 billion dlrs of customer repurchase agreements.")
    assert not figures_differ(two, digits)
    assert figures_differ(two, other)
    assert not figures_differ(lead_of("One of the banks said it agreed."), lead_of("Two of the banks agreed."))


def test_a_name_in_more_than_one_percent_of_the_archive_is_no_protagonist() -> None:
    lead = lead_of("The Bank of England said it gave the money market help, Witco Corp said.")
    england = np.isin(lead.names, lead_of("England").names)
    df = np.where(england, 150, 5000)  # England in 1.5% of 10,000 stories, the rest common
    assert protagonists(lead, df, 10_000).shape[0] == 0
    df = np.where(england, 80, 5000)  # 0.8%: a name that tells events apart
    assert np.array_equal(protagonists(lead, df, 10_000), lead.names[england])


MONEY_MARKET = ("The Bank of England said it forecast a shortage of around {} mln stg in the money market "
                "today. Among the main factors affecting liquidity, bills maturing in official hands and the "
                "take-up of treasury bills will drain some {} mln stg, while below target bankers' balances "
                "will take out around 140 mln stg. Partly offsetting these, exchequer transactions will add "
                "some 190 mln stg.")
EUROBOND = ("{} is issuing a 10 billion yen eurobond due March 30, 1992 paying five pct and priced at {}, "
            "lead manager Nomura International Ltd said. The non-callable bond is available in denominations "
            "of one mln yen and will be listed in Luxembourg. The selling concession is 1-1/4 pct, while "
            "management and underwriting combined pays 5/8 pct.")


def _relation(result, a: int, b: int) -> str | None:
    return next((l.relation for l in result.links if {l.derived_id, l.source_id} == {a, b}), None)


def test_one_template_another_day_is_no_copy_but_a_reissue_within_hours_is() -> None:
    monday = MONEY_MARKET.format(800, 620)
    docs = _background() + [DocInput(1, monday, None, T0, "Reuters"),
                            DocInput(2, MONEY_MARKET.format(350, 410), None, T0 + timedelta(days=7), "Reuters"),
                            DocInput(3, MONEY_MARKET.format(800, 640), None, T0 + timedelta(hours=2), "Reuters")]
    result = build(docs)
    assert _relation(result, 1, 2) not in ("near_copy", "spun", "duplicate")
    assert result.story_of[1] != result.story_of[2]
    assert _relation(result, 1, 3) == "near_copy"  # the same day's report, one figure corrected


EARNINGS = ("Shr loss 56 cts vs loss 71 cts Net loss 809,000 vs loss 1.0 mln Revs 5.3 mln vs 5.2 mln "
            "Year Shr loss {} dlrs vs loss 1.59 dlrs Net loss 2.2 mln vs loss 2.6 mln Revs 21.4 mln vs 20.9 mln")


def test_one_figure_of_a_table_corrected_the_next_day_is_a_reissue() -> None:
    docs = _background() + [DocInput(1, EARNINGS.format("1.15"), "DEROSE INDUSTRIES 4TH QTR", T0, "Reuters"),
                            DocInput(2, EARNINGS.format("1.51"), "CORRECTED - DEROSE INDUSTRIES 4TH QTR",
                                     T0 + timedelta(hours=19), "Reuters")]
    assert _relation(build(docs), 1, 2) == "near_copy"


def test_one_template_for_two_companies_is_no_copy() -> None:
    names = ["Union Bank of Finland", "Caisse Centrale Desjardins du Quebec"]
    docs = _background() + [DocInput(1, EUROBOND.format(names[0], "101-3/8"), None, T0, "Reuters"),
                            DocInput(2, EUROBOND.format(names[1], "101-1/4"), None, T0 + timedelta(hours=3), "Reuters")]
    result = build(docs)
    assert _relation(result, 1, 2) not in ("near_copy", "spun", "duplicate")
    # ... while a copy of one of them, with a site's line before the lead, is still a copy.
    copy = "Posted by FinanceDaily staff | Markets\n" + EUROBOND.format(names[0], "101-3/8")
    result = build(docs + [DocInput(3, copy, None, T0 + timedelta(days=2), "FinanceDaily")])
    assert _relation(result, 1, 3) in ("near_copy", "duplicate")


def test_figures_changed_reads_digits_and_another_day_needs_a_changed_figure() -> None:
    from archive.provenance.align import Prepared, align
    from archive.provenance.clusters import another_day, figures_changed
    from archive.provenance.features import tokenize

    def changed(x: str, y: str) -> int:
        tx, ty = tokenize(x), tokenize(y)
        return figures_changed(align(Prepared.of(tx), Prepared.of(ty)), x, tx, y, ty)

    base = ("A study by the 24-nation Organisation says it may take years to resolve the huge imbalances "
            "plaguing the world economy, western officials said on Tuesday after a meeting in Paris.")
    assert changed(base, base.replace("24-nation", "24-country")) == 0  # a spinner's word, same figure
    assert changed(base, base.replace("24-nation", "25-nation")) == 1
    ships = ("There were five grain ships loading and three ships were waiting to load at Portland, "
             "according to the Portland Merchants Exchange.")
    assert changed(ships, ships.replace("five", "seven")) == 1  # figures written as words
    assert changed(ships, ships.replace("five", "5")) == 0  # the same figure
    assert changed(ships, ships.replace("five", "several")) == 0  # no figure on one side
    day = 24 * 3600.0
    assert another_day(0, 2, 3 * day) is None
    assert another_day(1, 2, 3 * day) is not None
    assert another_day(1, 2, 0.97 * day) is not None  # the next day's
    assert another_day(1, 2, 0.1 * day) is None  # a correction
    assert another_day(1, 2, None) is None
    # One figure of a table corrected the next day, but not a week later nor two figures of it.
    assert another_day(1, 12, 0.8 * day) is None
    assert another_day(1, 12, 7 * day) is not None
    assert another_day(2, 12, 0.8 * day) is not None


def test_another_company_needs_both_protagonists_missing_and_figures_or_names_apart() -> None:
    from archive.provenance.clusters import another_company, protagonists_apart

    pa, pb = np.array([1, 2]), np.array([3])
    none = np.zeros(0, np.int64)
    assert protagonists_apart(pa, np.array([5, 6]), pb, np.array([7]))
    # A text that names the other's protagonist, or a lead without one, decides nothing.
    assert not protagonists_apart(pa, np.array([3, 6]), pb, np.array([7]))
    assert not protagonists_apart(pa, np.array([5, 6]), pb, np.array([2]))
    assert not protagonists_apart(pa, np.array([5, 6]), none, np.array([7]))
    # A spinner swapped the protagonist's name ("Tokyo's" -> "Yeddo's") but kept every figure and
    # the text's other rare names.
    assert another_company(False, 0.9, np.array([1, 8, 9]), np.array([3, 8, 9])) is None
    # The same wording for another company: no rare name in common, or figures that differ.
    assert another_company(False, 0.9, np.array([1, 8, 9]), np.array([3, 4])) is not None
    assert another_company(True, 0.9, np.array([1, 8]), np.array([3, 8])) is not None
    # Two articles that share a passage (a quote, a site's links) are no template.
    assert another_company(False, 0.3, np.array([1, 8, 9]), np.array([3, 4])) is None
    # Without rare names the texts' names say nothing either way.
    assert another_company(False, 0.9, none, np.array([3, 4])) is None
    # Verbatim but for the protagonist (no spinner's swaps elsewhere): another company, however
    # many of the template's rare names (products, places) the two share.
    assert another_company(False, 0.9, np.array([1, 8, 9]), np.array([3, 8, 9]), unspun=True) is not None
    assert another_company(False, 0.3, np.array([1, 8, 9]), np.array([3, 8, 9]), unspun=True) is None


def test_spelt_alike_tells_a_misspelt_name_from_another() -> None:
    from archive.provenance.clusters import spelt_alike

    assert spelt_alike(["Fieldcor"], ["FIDELCOR", "Inc"])
    assert not spelt_alike(["Marine", "Midland"], ["Meridian"])
    assert not spelt_alike(["Tokyo"], ["Yeddo"])


PRIME_RATE = "{} said it is raising its prime lending rate to 7-3/4 pct from 7-1/2 pct, effective immediately."


def test_two_banks_same_notice_same_day_is_no_copy_but_a_corrected_name_is() -> None:
    docs = _background() + [
        DocInput(1, PRIME_RATE.format("Marine Midland Banks Inc"), None, T0, "Reuters"),
        DocInput(2, PRIME_RATE.format("Boatmen's Bancshares"), None, T0 + timedelta(hours=2), "Reuters"),
        DocInput(3, PRIME_RATE.format("Fieldcor Inc"), None, T0 + timedelta(hours=3), "Reuters"),
        DocInput(4, PRIME_RATE.format("Fidelcor Inc"), None, T0 + timedelta(hours=5), "Reuters")]
    result = build(docs)
    assert _relation(result, 1, 2) not in ("near_copy", "spun", "duplicate")
    assert result.story_of[1] != result.story_of[2]
    # A correction of the company's misspelt name is the same notice re-issued.
    assert _relation(result, 3, 4) in ("near_copy", "duplicate")


def test_a_lead_cut_inside_a_word_leaves_the_stump_out() -> None:
    from archive.provenance.clusters import LEAD_MAX_CHARS, lead_of
    from archive.provenance.engine import ProvenanceIndex
    from archive.provenance.features import tokenize

    # No sentence end: the lead is the first LEAD_MAX_CHARS characters, cut inside "Fieldcorporation".
    text = "x " * 197 + "ab Fieldcorporation shares rose and more words follow here without any sentence end"
    assert text[LEAD_MAX_CHARS - 1].isalpha() and text[LEAD_MAX_CHARS].isalpha()
    index = ProvenanceIndex()
    index.update([DocInput(1, text)])
    lead = lead_of(text, index.tokens[1])
    assert np.isin(lead.names, index.tokens[1].hashes).all()  # no stump "Fieldcorporat"
    assert not np.isin(tokenize("Fieldcorporation").hashes, lead.names).any()  # nor the word it cuts
    assert np.array_equal(lead_of(text).names, lead.names)
    spellings = index._spellings(1, lead.names)
    assert len(spellings) == lead.names.shape[0] and all(word in text for word in spellings)
    # A word that ends exactly at the cut is whole, and stays.
    whole = "x " * 194 + "ab Fieldcorp shares rose and more words follow here without any sentence end"
    assert whole[LEAD_MAX_CHARS] == " "
    assert np.isin(tokenize("Fieldcorp").hashes, lead_of(whole).names).all()
    assert np.array_equal(lead_of(whole).names, lead_of(whole, tokenize(whole)).names)


CRUDE_POSTINGS = ("{0} said it raised the contract price it will pay for crude oil 50 cts a barrel, effective "
                  "today. The increase brings {0}'s posted price for West Texas Intermediate to 18.00 dlrs a "
                  "barrel and Light Louisiana Sweet to 18.35 dlrs. Prices were last changed in Calgary talks.")


def test_one_template_for_two_companies_sharing_its_rare_names_is_no_copy() -> None:
    docs = _background() + [
        DocInput(1, CRUDE_POSTINGS.format("Unocal"), None, T0, "Reuters"),
        DocInput(2, CRUDE_POSTINGS.format("Murphy"), None, T0 + timedelta(hours=2), "Reuters")]
    result = build(docs)
    assert _relation(result, 1, 2) not in ("near_copy", "spun", "duplicate")
    # A spun copy keeps the protagonist, so it stays a copy.
    spun = (CRUDE_POSTINGS.format("Unocal").replace("raised", "elevated").replace("increase", "rise")
            .replace("changed", "altered").replace("pay", "remit"))
    result = build(docs + [DocInput(3, spun, None, T0 + timedelta(days=1), "OilDaily")])
    assert _relation(result, 1, 3) in ("near_copy", "spun")


def test_a_lead_without_a_rare_name_still_names_its_subject() -> None:
    from archive.provenance.clusters import subject_of

    lead = lead_of("Chemical Bank said it is raising its prime lending rate in April to 7-3/4 pct.")
    names = lead_of("Chemical Bank April").names
    chemical, bank, april = (lead_of(w).names[0] for w in ("Chemical", "Bank", "April"))
    df = {chemical: 30, bank: 400, april: 5}
    freq = np.array([df[h] for h in lead.names.tolist()])
    assert np.isin(names, lead.names).all()
    # The least common name, months aside ("April" is rarer but a date), within a twentieth of the archive.
    assert subject_of(lead, freq, 1000).tolist() == [chemical]
    assert subject_of(lead, freq, 500).tolist() == []
    # A table's first rows have labels, not a subject.
    table = lead_of("Shr 41 cts vs 17 cts Net 8,824,000 vs 4,555,000 Revs 301.9 mln vs 196.4 mln")
    assert table.tabular and not lead.tabular
    assert subject_of(table, np.ones(table.names.shape[0]), 1000).shape[0] == 0


def test_two_banks_same_notice_when_one_bank_has_a_common_name_is_no_copy() -> None:
    # 'Chemical' is in 3% of this archive: too common for a protagonist, not for a subject;
    # 'Bank' is in most of it: too common for either.
    docs = [DocInput(2000 + i, f"Chemical makers in {_PLACES[i % 10]} said output of {_THINGS[i % 10]} "
                     f"rose {i} pct in the quarter, the trade group said.", None, T0 - timedelta(days=40), "Wire")
            for i in range(12)]
    docs += [DocInput(3000 + i, f"Farmers in {_PLACES[i % 10]} reported that {_THINGS[(i * 3) % 10]} output "
                      f"number {i} rose this season, the growers said" + (", and the Bank agreed." if i % 8 else "."),
                      None, T0 - timedelta(days=30), "Wire")
             for i in range(388)]
    notices = [DocInput(1, PRIME_RATE.format("Chemical Bank"), None, T0, "Reuters"),
               DocInput(2, PRIME_RATE.format("Marine Midland Banks Inc"), None, T0 + timedelta(hours=2), "Reuters")]
    result = build(docs + notices)
    assert _relation(result, 1, 2) not in ("near_copy", "spun", "duplicate")


def test_own_names_cancel_the_template_and_weigh_a_changed_name() -> None:
    from archive.provenance.clusters import leads_apart, own_names

    lead_a = lead_of("Pendleton Harbor Instruments said its stock joins the Nasdaq National Market System.")
    lead_b = lead_of("Quillfeather Software said its stock joins the Nasdaq National Market System.")
    nasdaq, common = lead_of("Nasdaq").names[0], set(lead_of("National Market System").names.tolist())
    # The template's "Nasdaq" is rare (in 5 of 1,000 texts), its other names are common.
    def freq(lead):  # noqa: ANN001, ANN202
        return np.array([5 if h == nasdaq else 500 if h in common else 1 for h in lead.names.tolist()], dtype=float)
    own_a, own_b = own_names(lead_a, freq(lead_a), 1000, lead_b), own_names(lead_b, freq(lead_b), 1000, lead_a)
    assert nasdaq not in own_a[0].tolist() and own_a[0].shape[0] == 3 and own_b[0].shape[0] == 2
    assert 0.5 < own_b[1] < own_a[1] < 1.0
    assert leads_apart(lead_a, own_a, lead_a.names, lead_b, own_b, lead_b.names)
    # One text naming the other's company further down still leaves the other side apart ...
    assert leads_apart(lead_a, own_a, np.concatenate([lead_a.names, own_b[0]]), lead_b, own_b, lead_b.names)
    # ... but not both.
    assert not leads_apart(lead_a, own_a, np.concatenate([lead_a.names, own_b[0]]), lead_b, own_b,
                           np.concatenate([lead_b.names, own_a[0]]))
    # Leads worded apart are no template, whoever they name.
    other = lead_of("Quillfeather Software, a maker of tools for accountants, opened in Ohio in 1979.")
    own_other = own_names(other, np.ones(other.names.shape[0]), 1000, lead_a)
    assert own_other[1] == 1.0 and not leads_apart(lead_a, own_a, lead_a.names, other, own_other, other.names)
    # A correction that changes one name of a lead keeps most of its names: not apart.
    first = lead_of("Calloway Tool said it agreed to sell its Brightwater Pump unit to Banner Industries of Ohio.")
    fixed = lead_of("Calloway Tool said it agreed to sell its Brightwater Pump unit to Oakfield Industries of Ohio.")
    own_first = own_names(first, np.ones(first.names.shape[0]), 1000, fixed)
    own_fixed = own_names(fixed, np.ones(fixed.names.shape[0]), 1000, first)
    assert own_first[0].shape[0] == 1 and own_first[1] < 0.5
    assert not leads_apart(first, own_first, first.names, fixed, own_fixed, fixed.names)
    # ... unless the figures differ too: then it is another one of a family of names.
    assert leads_apart(first, own_first, first.names, fixed, own_fixed, fixed.names, figures_apart=True)
    # Names in too much of the archive are no one's own, and months are no names.
    assert own_names(lead_a, np.full(lead_a.names.shape[0], 500.0), 1000, lead_b)[1] == 0.0
    dated = lead_of("Pendleton Harbor said in March its stock joins the Nasdaq system.")
    assert lead_of("March").names[0] not in own_names(dated, np.ones(dated.names.shape[0]), 1000, lead_b)[0].tolist()


NASDAQ_ADD = ("{} said its common stock will be included in the next expansion of the Nasdaq National "
              "Market System on Tuesday. The company said inclusion should widen interest in its shares "
              "among institutional investors and lower trading costs for its shareholders, who now number "
              "about 2,400.{}")


def test_one_template_for_two_companies_sharing_a_lead_name_is_no_copy() -> None:
    later = " Pendleton Harbor Instruments said on Monday that its shares would join the system too."
    # Other companies' news names the market system too: its words are common, "Nasdaq" rarer.
    market = [DocInput(1100 + i, f"Shares of {_PLACES[i % 10]} {_THINGS[i % 10]} makers traded on the National "
                       f"Market System rose {i} pct this week" + (" on Nasdaq." if i < 2 else "."),
                       None, T0 - timedelta(days=20), "Wire") for i in range(8)]
    docs = _background() + market + [
        DocInput(1, NASDAQ_ADD.format("Pendleton Harbor Instruments Inc", ""), None, T0, "Reuters"),
        DocInput(2, NASDAQ_ADD.format("Quillfeather Software Corp", later), None, T0 + timedelta(hours=3), "Reuters")]
    result = build(docs)
    assert _relation(result, 1, 2) not in ("near_copy", "spun", "duplicate")
    # The pair's evidence says which names were compared: the second report names the first
    # company too, further down.
    from archive.provenance import ProvenanceIndex

    index = ProvenanceIndex()
    index.update(docs)
    index.result()
    reasons = index.pairs[(1, 2)].decision.reasons
    assert any("their leads name other companies (Pendleton Harbor Instruments / Quillfeather Software Corp)" in r
               for r in reasons), reasons
    # ... while a copy of one of them is still a copy.
    copy = NASDAQ_ADD.format("Pendleton Harbor Instruments Inc", "") + "\nShare this story | Related posts"
    result = build(docs + [DocInput(3, copy, None, T0 + timedelta(days=2), "MarketWatchDaily")])
    assert _relation(result, 1, 3) in ("near_copy", "duplicate")


SALE = ("Calloway Tool Inc said it signed a definitive agreement to sell its Brightwater Pump Co subsidiary "
        "in Dayton, Ohio, to {} Industries Inc. Terms were withheld. Calloway said Brightwater had 1986 "
        "sales of 16 mln dlrs and employs 100 people. The sale is part of its plan to leave the pump "
        "business, Calloway said.{}")


def test_a_correction_that_changes_the_buyer_is_still_a_reissue() -> None:
    docs = _background() + [
        DocInput(1, SALE.format("Banner", ""), "CALLOWAY TO SELL PUMP UNIT", T0, "Reuters"),
        DocInput(2, SALE.format("Oakfield", " Banner Industries, which had agreed to buy Oakfield, also took part."),
                 "CORRECTED - CALLOWAY TO SELL PUMP UNIT", T0 + timedelta(hours=2), "Reuters")]
    assert _relation(build(docs), 1, 2) == "near_copy"


FUND = ("Franklin {} Insured Tax-Free Income Fund said it declared a monthly dividend of {} cts a share, "
        "payable April 30 to shareholders of record April 15. The fund paid the same dividend last month, "
        "the company said.")


def test_two_funds_of_one_family_with_other_payouts_are_no_copy() -> None:
    # "Franklin ... Insured Tax-Free Income Fund" is most of each lead: one state tells them apart.
    docs = _background() + [DocInput(1, FUND.format("Massachusetts", "5.2"), None, T0, "Reuters"),
                            DocInput(2, FUND.format("Minnesota", "5.6"), None, T0 + timedelta(minutes=5), "Reuters")]
    assert _relation(build(docs), 1, 2) not in ("near_copy", "spun", "duplicate")


def test_a_spun_copy_whose_headline_keeps_the_protagonist_it_swapped_is_still_a_copy() -> None:
    # The spinner swapped the protagonist's name in the text ("Spain" -> "Espana") and the day,
    # along with ordinary words; its headline, stored apart from the text, still names Spain.
    source = ("The Bank of Spain suspended its daily money market assistance and offered to drain funds "
              "with three- and seven-day repurchase agreements at 12-1/2 pct, money market sources said. "
              "The sources said the measures were a further attempt to rein in money supply and were likely "
              "to force some institutions to scramble for funds before the 10-day accounting period for "
              "reserve requirements closes on Wednesday.")
    swaps = {"Spain": "Espana", "market": "marketplace", "drain": "drainage", "repurchase": "redemption",
             "further": "farther", "attempt": "try", "scramble": "scuffle", "reserve": "modesty",
             "Wednesday.": "Midweek."}
    spun = " ".join(swaps.get(word, word) for word in source.split(" "))

    def link_of_copy(copy_title: str | None) -> list[tuple[int, int, str]]:
        # Other banks' news, so that "Bank" is a common name, as in a wire archive.
        banks = [DocInput(2000 + i, f"The Bank of {place} said {thing} lending rose {i} pct in the week.", None,
                          T0 - timedelta(days=20), "Wire") for i, (place, thing) in enumerate(zip(_PLACES, _THINGS))]
        docs = _background() + banks + [DocInput(1, source, "BANK OF SPAIN SUSPENDS ASSISTANCE", T0, "Reuters"),
                                DocInput(2, spun, copy_title, T0 + timedelta(hours=5), "content-farm")]
        result = build(docs)
        return [(l.derived_id, l.source_id, l.relation) for l in result.links if {l.derived_id, l.source_id} == {1, 2}]

    assert link_of_copy("Banking concern Of Spain Suspends Assistance") == [(2, 1, "spun")]
    # Without the headline nothing in the copy names Spain: one template, another bank's news,
    # and no link at all (a related link joins reports of one event).
    assert link_of_copy(None) == []


def test_a_copy_writing_em_dashes_as_hyphens_is_still_a_copy() -> None:
    # A scraper that folds punctuation to ASCII writes "love—Valentine's Day—and" as
    # "love-Valentine's Day-and": one token where the source has two, so its lead's names
    # ("Day-and") are none of the source's and the pair read as one template for two companies.
    source = ("It was the season of love\u2014Valentine's Day\u2014and the busiest week of the year for every "
              "florist in town. Rose prices climbed 40 pct on a poor Kenyan harvest, and Marla Quint, "
              "who runs the Stem and Petal shop on Fenner Street, said she had ordered 3,000 stems in January "
              "and would still run out by Thursday. Growers blamed a dry autumn and higher freight costs, and "
              "the Harlow traders association said several shops would close early on Sunday.")
    folded = source.replace("\u2014", "-")
    docs = _background() + [DocInput(1, source, None, T0, "Harlow Gazette"),
                            DocInput(2, folded, None, T0 + timedelta(hours=5), "content-farm")]
    links = [(l.derived_id, l.source_id, l.relation) for l in build(docs).links if {l.derived_id, l.source_id} == {1, 2}]
    assert links == [(2, 1, "duplicate")]  # the folded dashes are no edits (typographic_edits_as_matches)
    # Its lead, its hyphens read as word breaks, names what the source's lead names, and so does
    # its text: the words a hyphen joins are among what it names (both as the rule reads them).
    assert set(lead_of(folded, split_hyphens=True).names.tolist()) == set(lead_of(source).names.tolist())
    index = ProvenanceIndex()
    index.update([DocInput(2, folded)])
    valentines = tokenize("Valentine's").hashes[0]
    assert valentines in index._names(2) and valentines not in index._named_in(2)


def test_a_copy_differing_only_in_typography_is_a_duplicate() -> None:
    # A re-issue that spells "cutthroat" as "cut-throat" and a quote as a double one, or a copy
    # wrapped for print with its line-end hyphens: no word was changed, so no edit is counted.
    source = ("Japan's banks were criticised for cutthroat pricing of their services abroad, the country's "
              "finance ministry said in a report published on Tuesday. Foreign bankers in London and New York "
              "complained that Japanese lenders undercut them on syndicated loans and government bond "
              "underwriting, and the ministry said it would ask the banks to review their margins before the "
              "annual meeting of the Bank for International Settlements in June.")
    retyped = (source.replace("cutthroat", "cut-throat").replace("country's", 'country"s')
               .replace("government", "govern-\nment").replace("underwriting", "under- writing"))
    reworded = retyped.replace("complained", "grumbled")
    for copy, relation in ((retyped, "duplicate"), (reworded, "near_copy")):
        docs = _background() + [DocInput(1, source, None, T0, "Reuters"),
                                DocInput(2, copy, None, T0 + timedelta(hours=5), "Reuters")]
        links = [(l.derived_id, l.source_id, l.relation, l.evidence["substitutions"]) for l in build(docs).links
                 if {l.derived_id, l.source_id} == {1, 2}]
        assert [link[:3] for link in links] == [(2, 1, relation)]
        assert len(links[0][3]) == (relation == "near_copy")  # only "complained -> grumbled"


def test_a_copy_set_for_print_whose_hyphen_splits_the_leads_name_is_still_a_copy() -> None:
    # A copy wrapped for print splits "Vandermolen" at a line end: its lead's names are "Vander"
    # and "molen", none of the source's, and the pair read as one template for two companies.
    source = ("Councillor Vandermolen won the vote on Tuesday night by a wide margin, and the town's new "
              "library will open next spring. The project, first proposed in 2019, will cost 4.2 million "
              "pounds and replace the old reading room on Mill Street, which flooded twice last winter. "
              "Opponents said the money would be better spent on roads, but only three members voted "
              "against the plan after a debate that lasted more than two hours.")
    printed = source.replace("Vandermolen", "Vander-\nmolen", 1)
    docs = _background() + [DocInput(1, source, None, T0, "Gazette"),
                            DocInput(2, printed, None, T0 + timedelta(hours=5), "content-farm")]
    links = [(l.derived_id, l.source_id, l.relation) for l in build(docs).links if {l.derived_id, l.source_id} == {1, 2}]
    assert links == [(2, 1, "duplicate")]
    assert set(lead_of(printed, split_hyphens=True).names.tolist()) == set(lead_of(source).names.tolist())


def test_a_copy_whose_furniture_names_a_section_or_its_site_is_still_a_copy() -> None:
    # A farm's date line above the story ("Entertainment | ... | 31 Comments") and its copyright
    # line below: their names are the site's, not another company's news. Read from the text's
    # start, the copy's lead would be the date line and "The U.S." (a sentence end after 40
    # characters), naming none of the source lead's companies.
    lead = "The U.S. Pendleton Harbor Instruments Inc unit"
    docs = _background() + [DocInput(1, NASDAQ_ADD.format(lead, ""), None, T0, "Reuters")]
    story = NASDAQ_ADD.format(lead, "").replace("widen", "broaden")
    for furniture in ("Entertainment | October 10, 2021 | 31 Comments\n\n{}",
                      "Home » News » Entertainment\n\n{}\n\nCopyright 2021 Trendwire Junction. All rights reserved."):
        copy = DocInput(3, furniture.format(story), None, T0 + timedelta(days=2), "Trendwire Junction")
        assert _relation(build(docs + [copy]), 1, 3) in ("near_copy", "spun"), furniture
