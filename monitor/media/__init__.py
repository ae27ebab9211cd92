"""Photos of items: fetched at ingest, stored under the data directory, read by the classifier, served as thumbnails."""
