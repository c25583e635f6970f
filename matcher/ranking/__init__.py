"""Ranking: German text analysis, BM25 and its saved snapshot, structured features, score fusion,
diversity, the ranking config and the learned ranker (evaluation is `matcher.evaluation`)."""
