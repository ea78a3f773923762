namespace NewsPush.Recommender.Serving;

/// <summary>Keeps the k highest-scoring items seen with a min-heap: O(n log k), no allocation per item.</summary>
internal sealed class TopK(int capacity)
{
    private readonly float[] scores = new float[capacity];
    private readonly int[] items = new int[capacity];

    public int Count { get; private set; }
    public int Capacity { get; } = capacity;

    public void Clear() => Count = 0;

    public void Offer(int item, float score)
    {
        if (Count < Capacity)
        {
            var i = Count++;
            scores[i] = score;
            items[i] = item;
            while (i > 0)
            {
                var parent = (i - 1) / 2;
                if (scores[parent] <= scores[i])
                {
                    break;
                }
                Swap(i, parent);
                i = parent;
            }
        }
        else if (score > scores[0])
        {
            scores[0] = score;
            items[0] = item;
            var i = 0;
            while (true)
            {
                var l = (2 * i) + 1;
                var r = l + 1;
                var min = i;
                if (l < Count && scores[l] < scores[min])
                {
                    min = l;
                }
                if (r < Count && scores[r] < scores[min])
                {
                    min = r;
                }
                if (min == i)
                {
                    break;
                }
                Swap(i, min);
                i = min;
            }
        }
    }

    /// <summary>Items in no particular order.</summary>
    public ReadOnlySpan<int> Items => items.AsSpan(0, Count);

    private void Swap(int a, int b)
    {
        (scores[a], scores[b]) = (scores[b], scores[a]);
        (items[a], items[b]) = (items[b], items[a]);
    }
}
