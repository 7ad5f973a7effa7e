using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace RemoteWorkloadOperator.Testing.ControlPlane.Validation;

/// <summary>
/// A small CEL subset for <c>x-kubernetes-validations</c> rules: literals, <c>self</c>/<c>oldSelf</c>,
/// field selection, indexing, <c>has()</c>, <c>! &amp;&amp; || ?:</c>, comparisons, <c>in</c>, arithmetic,
/// <c>size</c>, <c>duration</c>, <c>timestamp</c>, <c>int</c>, <c>double</c>, <c>string</c>,
/// string <c>startsWith/endsWith/contains/matches/lowerAscii/upperAscii</c>, <c>isURL</c>,
/// <c>url(..).getScheme()/getHost()</c>, and list macros <c>all</c>, <c>exists</c>, <c>exists_one</c>,
/// <c>filter</c>, <c>map</c>. Anything else raises <see cref="CelException"/> with Unsupported set.
/// </summary>
public sealed class CelExpression
{
    private readonly Func<Dictionary<string, object?>, object?> _evaluate;

    private CelExpression(string source, Func<Dictionary<string, object?>, object?> evaluate)
    {
        Source = source;
        _evaluate = evaluate;
    }

    public string Source { get; }

    public static CelExpression Parse(string source)
    {
        var parser = new Parser(Tokenize(source));
        var body = parser.ParseExpression();
        parser.ExpectEnd();
        return new CelExpression(source, body);
    }

    public object? Evaluate(IReadOnlyDictionary<string, object?> variables) => _evaluate(new Dictionary<string, object?>(variables));

    /// <summary>Converts a JSON node into a CEL value (maps stay JsonObject, lists become List, numbers long/double).</summary>
    public static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o,
        JsonArray a => a.Select(FromJson).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => v.TryGetValue<long>(out var l) ? l : v.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };

    private static CelException Unsupported(string what) => new($"unsupported CEL: {what}") { Unsupported = true };

    private enum TokenKind
    {
        Identifier,
        Number,
        String,
        Operator,
        End,
    }

    private sealed record Token(TokenKind Kind, string Text, object? Value = null);

    private static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Identifier, s[start..i]));
            }
            else if (char.IsDigit(c))
            {
                var start = i;
                while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E' || s[i] == 'u'))
                {
                    i++;
                }

                var text = s[start..i].TrimEnd('u');
                object value = text.Contains('.', StringComparison.Ordinal) || text.Contains('e', StringComparison.OrdinalIgnoreCase)
                    ? double.Parse(text, CultureInfo.InvariantCulture)
                    : long.Parse(text, CultureInfo.InvariantCulture);
                tokens.Add(new Token(TokenKind.Number, text, value));
            }
            else if (c is '"' or '\'')
            {
                var quote = c;
                var sb = new StringBuilder();
                i++;
                while (i < s.Length && s[i] != quote)
                {
                    if (s[i] == '\\' && i + 1 < s.Length)
                    {
                        i++;
                        sb.Append(s[i] switch { 'n' => '\n', 't' => '\t', _ => s[i] });
                    }
                    else
                    {
                        sb.Append(s[i]);
                    }

                    i++;
                }

                i++;
                tokens.Add(new Token(TokenKind.String, sb.ToString(), sb.ToString()));
            }
            else
            {
                var two = i + 1 < s.Length ? s.Substring(i, 2) : "";
                if (two is "==" or "!=" or "<=" or ">=" or "&&" or "||")
                {
                    tokens.Add(new Token(TokenKind.Operator, two));
                    i += 2;
                }
                else if ("!<>+-*/%().,[]?:{}".Contains(c, StringComparison.Ordinal))
                {
                    tokens.Add(new Token(TokenKind.Operator, c.ToString()));
                    i++;
                }
                else
                {
                    throw Unsupported($"character '{c}'");
                }
            }
        }

        tokens.Add(new Token(TokenKind.End, ""));
        return tokens;
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int _position;

        private Token Peek => tokens[_position];

        private bool Accept(string op)
        {
            if (Peek.Kind == TokenKind.Operator && Peek.Text == op)
            {
                _position++;
                return true;
            }

            return false;
        }

        private void Expect(string op)
        {
            if (!Accept(op))
            {
                throw new CelException($"expected '{op}' at '{Peek.Text}'") { Unsupported = true };
            }
        }

        public void ExpectEnd()
        {
            if (Peek.Kind != TokenKind.End)
            {
                throw Unsupported($"unexpected '{Peek.Text}'");
            }
        }

        public Func<Dictionary<string, object?>, object?> ParseExpression()
        {
            var condition = ParseOr();
            if (!Accept("?"))
            {
                return condition;
            }

            var whenTrue = ParseExpression();
            Expect(":");
            var whenFalse = ParseExpression();
            return env => AsBool(condition(env)) ? whenTrue(env) : whenFalse(env);
        }

        private Func<Dictionary<string, object?>, object?> ParseOr()
        {
            var left = ParseAnd();
            while (Accept("||"))
            {
                var l = left;
                var r = ParseAnd();
                left = env => Logical(env, l, r, shortCircuitOn: true);
            }

            return left;
        }

        private Func<Dictionary<string, object?>, object?> ParseAnd()
        {
            var left = ParseRelation();
            while (Accept("&&"))
            {
                var l = left;
                var r = ParseRelation();
                left = env => Logical(env, l, r, shortCircuitOn: false);
            }

            return left;
        }

        private static object Logical(Dictionary<string, object?> env, Func<Dictionary<string, object?>, object?> l, Func<Dictionary<string, object?>, object?> r, bool shortCircuitOn)
        {
            CelException? leftError = null;
            try
            {
                if (AsBool(l(env)) == shortCircuitOn)
                {
                    return shortCircuitOn;
                }
            }
            catch (CelException e) when (!e.Unsupported)
            {
                leftError = e;
            }

            var right = AsBool(r(env));
            if (right == shortCircuitOn)
            {
                return shortCircuitOn;
            }

            return leftError is null ? !shortCircuitOn : throw leftError;
        }

        private Func<Dictionary<string, object?>, object?> ParseRelation()
        {
            var left = ParseAdditive();
            while (true)
            {
                string? op = null;
                foreach (var candidate in new[] { "==", "!=", "<=", ">=", "<", ">" })
                {
                    if (Accept(candidate))
                    {
                        op = candidate;
                        break;
                    }
                }

                if (op is null && Peek.Kind == TokenKind.Identifier && Peek.Text == "in")
                {
                    _position++;
                    op = "in";
                }

                if (op is null)
                {
                    return left;
                }

                var l = left;
                var r = ParseAdditive();
                var o = op;
                left = env => Compare(o, l(env), r(env));
            }
        }

        private Func<Dictionary<string, object?>, object?> ParseAdditive()
        {
            var left = ParseMultiplicative();
            while (true)
            {
                var op = Accept("+") ? "+" : Accept("-") ? "-" : null;
                if (op is null)
                {
                    return left;
                }

                var l = left;
                var r = ParseMultiplicative();
                left = env => Arithmetic(op, l(env), r(env));
            }
        }

        private Func<Dictionary<string, object?>, object?> ParseMultiplicative()
        {
            var left = ParseUnary();
            while (true)
            {
                var op = Accept("*") ? "*" : Accept("/") ? "/" : Accept("%") ? "%" : null;
                if (op is null)
                {
                    return left;
                }

                var l = left;
                var r = ParseUnary();
                left = env => Arithmetic(op, l(env), r(env));
            }
        }

        private Func<Dictionary<string, object?>, object?> ParseUnary()
        {
            if (Accept("!"))
            {
                var operand = ParseUnary();
                return env => !AsBool(operand(env));
            }

            if (Accept("-"))
            {
                var operand = ParseUnary();
                return env => operand(env) switch
                {
                    long l => -l,
                    double d => -d,
                    TimeSpan t => -t,
                    var v => throw new CelException($"no such overload: -{TypeName(v)}"),
                };
            }

            return ParsePostfix();
        }

        private Func<Dictionary<string, object?>, object?> ParsePostfix()
        {
            var (expr, selectTarget, selectField) = ParsePrimary();
            while (true)
            {
                if (Accept("."))
                {
                    var name = Peek.Text;
                    _position++;
                    var target = expr;
                    if (Accept("("))
                    {
                        expr = ParseMethod(target, name);
                        selectTarget = null;
                        selectField = null;
                        continue;
                    }

                    selectTarget = target;
                    selectField = name;
                    expr = env => Select(target(env), name);
                }
                else if (Accept("["))
                {
                    var index = ParseExpression();
                    Expect("]");
                    var target = expr;
                    expr = env => Index(target(env), index(env));
                    selectTarget = null;
                }
                else
                {
                    _lastSelect = (selectTarget, selectField);
                    return expr;
                }
            }
        }

        private (Func<Dictionary<string, object?>, object?>?, string?) _lastSelect;

        private Func<Dictionary<string, object?>, object?> ParseMethod(Func<Dictionary<string, object?>, object?> target, string name)
        {
            if (name is "all" or "exists" or "exists_one" or "filter" or "map")
            {
                var variable = Peek.Text;
                _position++;
                Expect(",");
                var body = ParseExpression();
                Expect(")");
                return env => Macro(name, target(env), variable, body, env);
            }

            var args = ParseArguments();
            return env =>
            {
                var receiver = target(env);
                var values = args.Select(a => a(env)).ToArray();
                return (name, receiver) switch
                {
                    ("size", _) => Size(receiver),
                    ("startsWith", string s) => s.StartsWith(AsString(values[0]), StringComparison.Ordinal),
                    ("endsWith", string s) => s.EndsWith(AsString(values[0]), StringComparison.Ordinal),
                    ("contains", string s) => s.Contains(AsString(values[0]), StringComparison.Ordinal),
                    ("matches", string s) => Regex.IsMatch(s, AsString(values[0])),
                    ("lowerAscii", string s) => s.ToLowerInvariant(),
                    ("upperAscii", string s) => s.ToUpperInvariant(),
                    ("getScheme", Uri u) => u.Scheme,
                    ("getHost", Uri u) => u.Host,
                    ("getHostname", Uri u) => u.Host,
                    _ => throw Unsupported($"method {name}"),
                };
            };
        }

        private List<Func<Dictionary<string, object?>, object?>> ParseArguments()
        {
            var args = new List<Func<Dictionary<string, object?>, object?>>();
            if (Accept(")"))
            {
                return args;
            }

            do
            {
                args.Add(ParseExpression());
            }
            while (Accept(","));
            Expect(")");
            return args;
        }

        private (Func<Dictionary<string, object?>, object?>, Func<Dictionary<string, object?>, object?>?, string?) ParsePrimary()
        {
            var token = Peek;
            _position++;
            switch (token.Kind)
            {
                case TokenKind.Number:
                case TokenKind.String:
                    {
                        var value = token.Value;
                        return (_ => value, null, null);
                    }

                case TokenKind.Identifier:
                    switch (token.Text)
                    {
                        case "true":
                            return (_ => true, null, null);
                        case "false":
                            return (_ => false, null, null);
                        case "null":
                            return (_ => null, null, null);
                    }

                    if (Accept("("))
                    {
                        return (ParseFunction(token.Text), null, null);
                    }

                    var name = token.Text;
                    return (env => env.TryGetValue(name, out var v) ? v : throw new CelException($"undeclared reference to '{name}'") { Unsupported = true }, null, null);
                case TokenKind.Operator when token.Text == "(":
                    {
                        var inner = ParseExpression();
                        Expect(")");
                        return (inner, null, null);
                    }

                case TokenKind.Operator when token.Text == "[":
                    {
                        var items = new List<Func<Dictionary<string, object?>, object?>>();
                        if (!Accept("]"))
                        {
                            do
                            {
                                items.Add(ParseExpression());
                            }
                            while (Accept(","));
                            Expect("]");
                        }

                        return (env => items.Select(i => i(env)).ToList(), null, null);
                    }

                default:
                    throw Unsupported($"token '{token.Text}'");
            }
        }

        private Func<Dictionary<string, object?>, object?> ParseFunction(string name)
        {
            if (name == "has")
            {
                ParsePostfix();
                var (target, field) = _lastSelect;
                Expect(")");
                if (target is null || field is null)
                {
                    throw Unsupported("has() needs a field selection");
                }

                return env => target(env) is JsonObject o && o.ContainsKey(field);
            }

            var args = ParseArguments();
            return env =>
            {
                var values = args.Select(a => a(env)).ToArray();
                return name switch
                {
                    "size" => Size(values[0]),
                    "duration" => GoDuration.TryParse(AsString(values[0]), out var d) ? d : throw new CelException($"invalid duration '{values[0]}'"),
                    "timestamp" => DateTimeOffset.TryParse(AsString(values[0]), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : throw new CelException($"invalid timestamp '{values[0]}'"),
                    "int" => values[0] switch { long l => l, double x => (long)x, string s => long.Parse(s, CultureInfo.InvariantCulture), TimeSpan ts => (long)ts.TotalSeconds, DateTimeOffset dt => dt.ToUnixTimeSeconds(), var v => throw new CelException($"no such overload: int({TypeName(v)})") },
                    "double" => values[0] switch { long l => (double)l, double x => x, string s => double.Parse(s, CultureInfo.InvariantCulture), var v => throw new CelException($"no such overload: double({TypeName(v)})") },
                    "string" => values[0] switch { string s => s, long l => l.ToString(CultureInfo.InvariantCulture), double x => x.ToString(CultureInfo.InvariantCulture), bool b => b ? "true" : "false", var v => throw new CelException($"no such overload: string({TypeName(v)})") },
                    "isURL" => Uri.TryCreate(AsString(values[0]), UriKind.Absolute, out _),
                    "url" => Uri.TryCreate(AsString(values[0]), UriKind.Absolute, out var u) ? u : throw new CelException($"URL parse error: {values[0]}"),
                    _ => throw Unsupported($"function {name}"),
                };
            };
        }

        private static object Macro(string name, object? target, string variable, Func<Dictionary<string, object?>, object?> body, Dictionary<string, object?> env)
        {
            var items = target switch
            {
                List<object?> list => list,
                JsonObject map => map.Select(p => (object?)p.Key).ToList(),
                _ => throw new CelException($"no such overload: {TypeName(target)}.{name}"),
            };
            var scope = new Dictionary<string, object?>(env);
            object? Run(object? item)
            {
                scope[variable] = item;
                return body(scope);
            }

            return name switch
            {
                "all" => items.All(i => AsBool(Run(i))),
                "exists" => items.Any(i => AsBool(Run(i))),
                "exists_one" => items.Count(i => AsBool(Run(i))) == 1,
                "filter" => items.Where(i => AsBool(Run(i))).ToList(),
                _ => items.Select(Run).ToList(),
            };
        }
    }

    private static object? Select(object? target, string field) => target switch
    {
        JsonObject o when o.TryGetPropertyValue(field, out var v) => FromJson(v),
        JsonObject => throw new CelException($"no such key: {field}"),
        _ => throw new CelException($"no such overload: select '{field}' on {TypeName(target)}"),
    };

    private static object? Index(object? target, object? index) => (target, index) switch
    {
        (List<object?> list, long i) when i >= 0 && i < list.Count => list[(int)i],
        (List<object?>, _) => throw new CelException($"index out of bounds: {index}"),
        (JsonObject o, string key) when o.TryGetPropertyValue(key, out var v) => FromJson(v),
        (JsonObject, _) => throw new CelException($"no such key: {index}"),
        _ => throw new CelException($"no such overload: index {TypeName(target)}"),
    };

    private static long Size(object? value) => value switch
    {
        string s => s.EnumerateRunes().Count(),
        List<object?> l => l.Count,
        JsonObject o => o.Count,
        _ => throw new CelException($"no such overload: size({TypeName(value)})"),
    };

    private static bool AsBool(object? value) => value is bool b ? b : throw new CelException($"no such overload: expected bool, got {TypeName(value)}");

    private static string AsString(object? value) => value is string s ? s : throw new CelException($"no such overload: expected string, got {TypeName(value)}");

    private static string TypeName(object? value) => value switch
    {
        null => "null_type",
        bool => "bool",
        long => "int",
        double => "double",
        string => "string",
        TimeSpan => "google.protobuf.Duration",
        DateTimeOffset => "google.protobuf.Timestamp",
        List<object?> => "list",
        JsonObject => "map",
        _ => value.GetType().Name,
    };

    private static object Compare(string op, object? left, object? right)
    {
        if (op == "in")
        {
            return right switch
            {
                List<object?> list => list.Any(i => ValueEquals(i, left)),
                JsonObject map => left is string key && map.ContainsKey(key),
                _ => throw new CelException($"no such overload: in {TypeName(right)}"),
            };
        }

        if (op is "==" or "!=")
        {
            var equal = ValueEquals(left, right);
            return op == "==" ? equal : !equal;
        }

        var order = (left, right) switch
        {
            (long a, long b) => a.CompareTo(b),
            (long a, double b) => ((double)a).CompareTo(b),
            (double a, long b) => a.CompareTo(b),
            (double a, double b) => a.CompareTo(b),
            (string a, string b) => string.CompareOrdinal(a, b),
            (TimeSpan a, TimeSpan b) => a.CompareTo(b),
            (DateTimeOffset a, DateTimeOffset b) => a.CompareTo(b),
            (bool a, bool b) => a.CompareTo(b),
            _ => throw new CelException($"no such overload: {TypeName(left)} {op} {TypeName(right)}"),
        };
        return op switch
        {
            "<" => order < 0,
            "<=" => order <= 0,
            ">" => order > 0,
            _ => order >= 0,
        };
    }

    private static bool ValueEquals(object? left, object? right) => (left, right) switch
    {
        (null, null) => true,
        (long a, double b) => a == b,
        (double a, long b) => a == b,
        (List<object?> a, List<object?> b) => a.Count == b.Count && a.Zip(b).All(p => ValueEquals(p.First, p.Second)),
        (JsonObject a, JsonObject b) => JsonNode.DeepEquals(a, b),
        _ => Equals(left, right),
    };

    private static object Arithmetic(string op, object? left, object? right) => (op, left, right) switch
    {
        ("+", long a, long b) => a + b,
        ("-", long a, long b) => a - b,
        ("*", long a, long b) => a * b,
        ("/", long a, long b) => b == 0 ? throw new CelException("division by zero") : a / b,
        ("%", long a, long b) => b == 0 ? throw new CelException("modulus by zero") : a % b,
        ("+", double a, double b) => a + b,
        ("-", double a, double b) => a - b,
        ("*", double a, double b) => a * b,
        ("/", double a, double b) => a / b,
        ("+", string a, string b) => a + b,
        ("+", List<object?> a, List<object?> b) => a.Concat(b).ToList(),
        ("+", TimeSpan a, TimeSpan b) => a + b,
        ("-", TimeSpan a, TimeSpan b) => a - b,
        ("+", DateTimeOffset a, TimeSpan b) => a + b,
        ("-", DateTimeOffset a, TimeSpan b) => a - b,
        ("-", DateTimeOffset a, DateTimeOffset b) => a - b,
        _ => throw new CelException($"no such overload: {TypeName(left)} {op} {TypeName(right)}"),
    };
}
