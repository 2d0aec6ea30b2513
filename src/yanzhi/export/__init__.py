"""Files yanzhi writes for people to open: spreadsheets and CSV that carry text as text."""
