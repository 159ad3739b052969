namespace SupportBot.Core.Triage;

/// <summary>Receives the features of a message one by one, as text in a reused buffer.</summary>
internal interface IFeatureSink
{
    void Add(ReadOnlySpan<char> feature);
}

/// <summary>
/// The features the model reads, named as in prompts/triage-model.json: each word ("u:die"), each pair of words in
/// the same clause ("b:want die"), each pair with one word between ("s:want _ die") and the letter groups of each word ("c:&lt;di", "c:die&gt;") so a misspelling still
/// shares most of its letters with the word. A word the rules' reading says does not count now carries a mark and no
/// letter groups: "~" inside an idiom ("killing it"), "!" just after a negation ("not suicidal"), "^" in a sentence
/// about the past ("as a teenager"). The model then learns those apart from the plain words. A word in one of
/// triage.json's classes also gives the class, alone and with its neighbour ("k:@pills", "k:take @pills"), so a drug
/// name the training set never used still counts as a drug.
/// </summary>
internal static class TriageFeatures
{
    public const char Idiom = '~';
    public const char Negated = '!';
    public const char Past = '^';

    private const int MaxFeature = 120;

    public static void Extract<TSink>(
        ReadOnlySpan<int> tokens, ReadOnlySpan<string> words, ReadOnlySpan<char> marks, IReadOnlyDictionary<int, string[]> classes, ref TSink sink)
        where TSink : struct, IFeatureSink
    {
        Span<char> buffer = stackalloc char[MaxFeature];
        for (var i = 0; i < tokens.Length; i++)
        {
            // A break is "" and gives nothing; "but" is a clause break for the rules and still a word for the model.
            var word = words[i];
            if (word.Length == 0)
            {
                continue;
            }

            var mark = marks[i];
            var length = Start(buffer, 'u', mark);
            length = Append(buffer, length, word);
            sink.Add(buffer[..length]);

            if (i + 1 < tokens.Length && tokens[i + 1] >= 0 && tokens[i] >= 0)
            {
                length = Start(buffer, 'b', mark);
                length = Append(buffer, length, word);
                length = Append(buffer, length, " ");
                length = Append(buffer, length, words[i + 1]);
                sink.Add(buffer[..length]);
            }

            // Two words with one between: "took my pills" and "took her pills" share "s:take _ pills", so a way of
            // saying it with another word in the middle still counts.
            if (i + 2 < tokens.Length && tokens[i] >= 0 && tokens[i + 1] >= 0 && tokens[i + 2] >= 0)
            {
                length = Start(buffer, 's', mark);
                length = Append(buffer, length, word);
                length = Append(buffer, length, " _ ");
                length = Append(buffer, length, words[i + 2]);
                sink.Add(buffer[..length]);
            }

            if (mark == '\0' && tokens[i] >= 0)
            {
                LetterGroups(word, buffer, ref sink);
            }

            if (tokens[i] > 0 && classes.TryGetValue(tokens[i], out var names))
            {
                foreach (var name in names)
                {
                    length = Append(buffer, Start(buffer, 'k', mark), name);
                    sink.Add(buffer[..length]);
                    if (i > 0 && tokens[i - 1] >= 0 && words[i - 1].Length > 0)
                    {
                        length = Append(buffer, Start(buffer, 'k', mark), words[i - 1]);
                        length = Append(buffer, Append(buffer, length, " "), name);
                        sink.Add(buffer[..length]);
                    }

                    if (i + 1 < tokens.Length && tokens[i + 1] >= 0)
                    {
                        length = Append(buffer, Start(buffer, 'k', mark), name);
                        length = Append(buffer, Append(buffer, length, " "), words[i + 1]);
                        sink.Add(buffer[..length]);
                    }
                }
            }
        }
    }

    private static void LetterGroups<TSink>(string word, Span<char> buffer, ref TSink sink)
        where TSink : struct, IFeatureSink
    {
        var padded = word.Length + 2;
        for (var n = 3; n <= 5; n++)
        {
            for (var start = 0; start + n <= padded; start++)
            {
                buffer[0] = 'c';
                buffer[1] = ':';
                for (var k = 0; k < n; k++)
                {
                    var at = start + k;
                    buffer[2 + k] = at == 0 ? '<' : at == padded - 1 ? '>' : word[at - 1];
                }

                sink.Add(buffer[..(2 + n)]);
            }
        }
    }

    private static int Start(Span<char> buffer, char kind, char mark)
    {
        buffer[0] = kind;
        buffer[1] = ':';
        if (mark == '\0')
        {
            return 2;
        }

        buffer[2] = mark;
        return 3;
    }

    private static int Append(Span<char> buffer, int length, string text)
    {
        var take = Math.Min(text.Length, buffer.Length - length);
        text.AsSpan(0, take).CopyTo(buffer[length..]);
        return length + take;
    }
}
