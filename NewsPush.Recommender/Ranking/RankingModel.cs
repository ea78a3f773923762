using NewsPush.Recommender.Text;

namespace NewsPush.Recommender.Ranking;

/// <summary>A model ready to serve: its version, the text vectorizer it was trained with, and its scorer.</summary>
public sealed record RankingModel(string Version, string Trainer, DateTime CreatedAt, int TrainingExamples, TextVectorizer Vectorizer, IPairScorer Scorer);
