"""Text analysis shared by indexing and querying: words, stems, stopwords, spelling, synonyms."""
