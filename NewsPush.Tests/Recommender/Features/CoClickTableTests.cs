using NewsPush.Recommender.Features;

namespace NewsPush.Tests.Recommender.Features;

public sealed class CoClickTableTests
{
    [Fact]
    public void ArticleClickedAfterTheReadersRecentReadsScoresAboveOneNeverClickedWithThem()
    {
        var table = new CoClickTable(10);
        // Readers who read 1 and 2 went on to click 3; others who read 4 clicked 5.
        for (var r = 0; r < 5; r++)
        {
            table.AddClick(3, [2, 1]);
            table.AddClick(5, [4]);
        }

        Assert.True(table.Score(3, [1]) > 0);
        Assert.Equal(0, table.Score(5, [1]));
        Assert.True(table.Score(3, [2, 1]) > table.Score(3, [1]));
        Assert.Equal(0, table.Score(7, [1, 2]));
    }

    [Fact]
    public void HistoryListPairsEachReadWithTheReadsBeforeIt()
    {
        var table = new CoClickTable(10);
        table.AddHistory([1, 2, 3]);

        Assert.True(table.Score(3, [1]) > 0);
        Assert.True(table.Score(2, [1]) > 0);
        Assert.Equal(0, table.Score(1, [3]));
    }
}
