"""Reading input files into normalised article records and writing them to the store."""
