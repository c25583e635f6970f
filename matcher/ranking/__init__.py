"""Ranking: German text analysis, BM25, structured features, score fusion, diversity, evaluation."""
