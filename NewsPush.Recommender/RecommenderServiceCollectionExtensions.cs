using Microsoft.Extensions.DependencyInjection;
using NewsPush.Recommender.Ranking;

namespace NewsPush.Recommender;

public static class RecommenderServiceCollectionExtensions
{
    /// <summary>Registers the model store over <paramref name="modelFolder"/>; the rest is plain, stateless code.</summary>
    public static IServiceCollection AddNewsPushRecommender(this IServiceCollection services, string modelFolder)
    {
        services.AddSingleton(new ModelStore(modelFolder));
        return services;
    }
}
