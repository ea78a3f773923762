using System.Numerics;
using System.Runtime.InteropServices;

namespace NewsPush.Recommender.Features;

internal static class VectorMath
{
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        var acc = Vector<float>.Zero;
        for (var i = 0; i < va.Length; i++)
        {
            acc += va[i] * vb[i];
        }
        var sum = Vector.Sum(acc);
        for (var i = va.Length * Vector<float>.Count; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }
        return sum;
    }

    /// <summary>Four dot products against one shared vector: it is loaded once for four readers.</summary>
    public static void Dot4(ReadOnlySpan<float> shared, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, ReadOnlySpan<float> d, Span<float> result)
    {
        var vs = MemoryMarshal.Cast<float, Vector<float>>(shared);
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
        var vc = MemoryMarshal.Cast<float, Vector<float>>(c);
        var vd = MemoryMarshal.Cast<float, Vector<float>>(d);
        Vector<float> sa = default, sb = default, sc = default, sd = default;
        for (var i = 0; i < vs.Length; i++)
        {
            var x = vs[i];
            sa += x * va[i];
            sb += x * vb[i];
            sc += x * vc[i];
            sd += x * vd[i];
        }
        float ra = Vector.Sum(sa), rb = Vector.Sum(sb), rc = Vector.Sum(sc), rd = Vector.Sum(sd);
        for (var i = vs.Length * Vector<float>.Count; i < shared.Length; i++)
        {
            ra += shared[i] * a[i];
            rb += shared[i] * b[i];
            rc += shared[i] * c[i];
            rd += shared[i] * d[i];
        }
        result[0] = ra;
        result[1] = rb;
        result[2] = rc;
        result[3] = rd;
    }

    public static void AddScaled(Span<float> target, ReadOnlySpan<float> source, float scale)
    {
        var vt = MemoryMarshal.Cast<float, Vector<float>>(target);
        var vs = MemoryMarshal.Cast<float, Vector<float>>(source);
        for (var i = 0; i < vt.Length; i++)
        {
            vt[i] += vs[i] * scale;
        }
        for (var i = vt.Length * Vector<float>.Count; i < target.Length; i++)
        {
            target[i] += source[i] * scale;
        }
    }

    public static void Normalize(Span<float> v)
    {
        var norm = MathF.Sqrt(Dot(v, v));
        if (norm > 0)
        {
            for (var i = 0; i < v.Length; i++)
            {
                v[i] /= norm;
            }
        }
    }
}
