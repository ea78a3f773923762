using System.Linq.Expressions;
using System.Reflection;

namespace NewsPush.Web.Infrastructure;

/// <summary>
/// Lets one predicate, written once as an expression, be used inside other LINQ queries that EF translates: write
/// <c>rule.Invoke(p, b)</c> inside a query, then <see cref="Inline{T}(IQueryable{T})"/> (or <see cref="Inline{T}(Expression{T})"/>)
/// replaces each call by the rule's body with its parameters bound to the arguments. EF never sees <c>Invoke</c>.
/// </summary>
public static class ExpressionInliner
{
    /// <summary>A placeholder for use inside expressions only; calling it outside one is a mistake.</summary>
    public static TResult Invoke<T1, TResult>(this Expression<Func<T1, TResult>> rule, T1 argument) =>
        throw new InvalidOperationException("ExpressionInliner.Invoke belongs inside an expression that is then inlined.");

    /// <summary>A placeholder for use inside expressions only; calling it outside one is a mistake.</summary>
    public static TResult Invoke<T1, T2, TResult>(this Expression<Func<T1, T2, TResult>> rule, T1 first, T2 second) =>
        throw new InvalidOperationException("ExpressionInliner.Invoke belongs inside an expression that is then inlined.");

    public static IQueryable<T> Inline<T>(this IQueryable<T> query) => query.Provider.CreateQuery<T>(new Visitor().Visit(query.Expression));

    public static Expression<T> Inline<T>(this Expression<T> expression) => (Expression<T>)new Visitor().Visit(expression);

    private static readonly MethodInfo[] InvokeMethods = typeof(ExpressionInliner).GetMethods().Where(m => m.Name == nameof(Invoke)).ToArray();

    private sealed class Visitor : ExpressionVisitor
    {
        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (!node.Method.IsGenericMethod || !InvokeMethods.Contains(node.Method.GetGenericMethodDefinition()))
            {
                return base.VisitMethodCall(node);
            }
            // The rule is a value captured by the query (a closure field or a constant): read it, then inline its body.
            var rule = (LambdaExpression)Value(node.Arguments[0]);
            var bound = rule.Parameters.Select((parameter, i) => (parameter, Visit(node.Arguments[i + 1]))).ToDictionary(x => x.parameter, x => x.Item2);
            return Visit(new Binder(bound).Visit(rule.Body));
        }
    }

    /// <summary>A closure's field or property is read by reflection (cheap); anything else is compiled and run.</summary>
    private static object Value(Expression e) => e switch
    {
        ConstantExpression c => c.Value!,
        MemberExpression { Member: FieldInfo f } m => f.GetValue(m.Expression is null ? null : Value(m.Expression))!,
        MemberExpression { Member: PropertyInfo p } m => p.GetValue(m.Expression is null ? null : Value(m.Expression))!,
        _ => Expression.Lambda(e).Compile().DynamicInvoke()!,
    };

    private sealed class Binder(Dictionary<ParameterExpression, Expression> bound) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => bound.TryGetValue(node, out var value) ? value : node;
    }
}
