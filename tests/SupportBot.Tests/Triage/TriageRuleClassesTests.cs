using SupportBot.Core.Triage;
using SupportBot.Tests.Content;

namespace SupportBot.Tests.Triage;

/// <summary>
/// The rules of the real prompts/triage.json, without the model, on classes of ordinary phrasing that share words with
/// risk and used to fire, each beside a risk message in the same words that must still fire. Written here, in our own
/// words; none is a line of an evaluation or training set.
/// </summary>
public sealed class TriageRuleClassesTests
{
    private static readonly RiskDetector Rules = PromptsFolder.LoadReal().Triage.WithoutModel();

    [Theory]
    [InlineData("my statement says he threatened to hurt me")]
    [InlineData("is it a crime for a coach to threaten to post photos of a player")]
    [InlineData("my dad is at the door with the shopping")]
    [InlineData("no one is outside, it turned out to be a fox")]
    [InlineData("the film had a man banging on the door, it shook me a bit")]
    [InlineData("i want to die my hair green")]
    [InlineData("there's no reason to stay in this job")]
    [InlineData("what does ctb mean")]
    [InlineData("should i mention my old self harm to the investigator")]
    [InlineData("my past overdose came up at the hearing")]
    [InlineData("i went through a suicidal phase at university")]
    [InlineData("he's hitting the gym again")]
    [InlineData("i'm locked in to a phone contract for two years")]
    [InlineData("he shoved me against a locker after practice. that was 2011.")]
    [InlineData("my old coach slapped me in front of the team. it happened years ago.")]
    [InlineData("i used to cut myself in my teens, then i went back to college and it stopped")]
    [InlineData("i wanted to die ages ago, after the divorce")]
    [InlineData("in 2016 i took an overdose, i've had a lot of help since")]
    [InlineData("the board threatened me with disciplinary action for missing the deadline")]
    [InlineData("she threatened my place on the team, not my safety")]
    [InlineData("he tried to pass my choreography off as his own")]
    [InlineData("i didn't feel safe around that coach, it is in my statement")]
    [InlineData("my intake form had a self harm risk question on it")]
    [InlineData("i'm hiding from my emails today")]
    [InlineData("in roblox my niece keeps jumping off the roof to see what happens")]
    [InlineData("\"i can't go on\" is what my narrator says at the end of the story")]
    [InlineData("i could kill myself over these timesheets")]
    [InlineData("i don't have any plans to hurt myself, i just want to talk")]
    [InlineData("i've never had thoughts of killing myself")]
    [InlineData("i'm on the bridge into town, stuck in traffic")]
    [InlineData("my ex is coming over to pick up the kids at six")]
    [InlineData("the night i wanted to die is four years behind me")]
    [InlineData("self harm free for three years, and proud of it")]
    [InlineData("there is an old folk song about wanting to die on my playlist")]
    [InlineData("in my novel the detective jumps off a bridge onto a moving barge")]
    [InlineData("is a sugar overdose a real thing for toddlers")]
    public void An_ordinary_class_of_phrasing_does_not_fire(string text)
    {
        Assert.False(Rules.Assess(text).IsRisk, text);
    }

    [Theory]
    [InlineData("he threatened to hurt me if i tell")]
    [InlineData("my dad is at the door and he's drunk and shouting")]
    [InlineData("he's outside my window right now")]
    [InlineData("i want to die")]
    [InlineData("i'm 16 now and i want to kill myself")]
    [InlineData("what do i do if i took 30 pills")]
    [InlineData("his email said he will kill me")]
    [InlineData("he choked me when he was drunk")]
    [InlineData("i'm thinking about overdosing tonight")]
    [InlineData("he shoved me against the wall. that was 2 minutes ago and he's still here")]
    [InlineData("i haven't eaten in 5 days because i'm starving myself on purpose")]
    [InlineData("he threatened me with a knife")]
    [InlineData("she said she'd tell my husband everything if i report her")]
    [InlineData("he said he would break my arm if i talk to the police")]
    [InlineData("my ex said he'll \"end me\" if i go to court")]
    [InlineData("i burned my hand on purpose")]
    [InlineData("trying not to act on the urges tonight")]
    [InlineData("i can't stop thinking about killing myself")]
    [InlineData("i'm standing on the ledge")]
    [InlineData("i don't know if i will be safe tonight")]
    [InlineData("i used to cut myself and the urge is back tonight")]
    [InlineData("years ago i wanted to kill myself and it has come back")]
    [InlineData("i thought that was years behind me but i want to die again")]
    [InlineData("i was self harm free for 2 years and i cut again tonight")]
    [InlineData("i keep writing songs about wanting to die and tonight i mean it")]
    [InlineData("i'm going to jump off the bridge tonight")]
    [InlineData("i took an overdose of my sleeping pills an hour ago")]
    public void The_risk_twin_in_the_same_words_still_fires(string text)
    {
        Assert.True(Rules.Assess(text).IsRisk, text);
    }

    /// <summary>
    /// Threats said sideways (branch triage10): each fires as a threat by its rule; its ordinary twin, in many of the same
    /// words, stays quiet.
    /// </summary>
    [Theory]
    [InlineData("you know what happens to girls who talk, he said on the way out", "what-happens-to-those-who-talk",
        "do you know what happens to my complaint once it reaches the panel?")]
    [InlineData("the tutor says it would be a shame if anything happened to my little sister", "shame-if-something-happened",
        "it would be a shame if the hearing happened without my sister there")]
    [InlineData("the coach told me he has mates who will sort me out if i keep going", "friends-who-will-deal-with-me",
        "i have friends who will help me with the forms")]
    [InlineData("there was a note on my car with a noose drawn on it", "sent-a-sign-of-death",
        "my son drew a dinosaur on the back of my car park ticket")]
    [InlineData("the pastor says he knows where your kids go to school", "knows-where-the-kids-go",
        "the school knows where the kids go after lunch, it's on the timetable")]
    [InlineData("don't make me hurt you, the physio said when i said no", "do-not-make-me-hurt-you",
        "don't make me laugh, my physio says, when i tell him about my week")]
    [InlineData("a text from my old counsellor: you know what i'm capable of", "know-what-i-am-capable-of",
        "my new counsellor says i know what i'm good at now")]
    public void A_threat_said_sideways_fires_and_its_ordinary_twin_stays_quiet(string threat, string ruleId, string ordinary)
    {
        var found = Rules.Assess(threat);
        Assert.Contains(found.Findings, f => f.RuleId == ruleId && f.Kind == RiskKind.Threat);
        Assert.False(Rules.Assess(ordinary).IsRisk, ordinary);
    }

    /// <summary>
    /// Classes of risk that development readings showed, each in fresh words: each fires by its rule when the rules are
    /// read alone; its ordinary twin, in many of the same words, stays quiet.
    /// </summary>
    [Theory]
    // Branch triage10 (blind9): preparation said as writing for after, self-harm said by what it did to the skin.
    [InlineData("spent tonight drafting my own obituary so nobody has to guess", "wrote-my-own-eulogy", RiskKind.Means,
        "we read the obituary of my old piano teacher in the paper today")]
    [InlineData("pressed my arm against the iron till it blistered because i wanted to feel it", "body-till-it-bled", RiskKind.SelfHarm,
        "walked the whole coast path in new boots till my heels were sore")]
    [InlineData("dug my nails into my hands until they bled during the interview", "body-till-it-bled", RiskKind.SelfHarm,
        "my hands were freezing until the heating came on")]
    // Branch triage11 (blind10): threats said indirectly, harm to the skin, not keeping safe, means within reach,
    // someone at the door or the drive, a blow just now.
    [InlineData("the youth leader swore he would do the same to my cousin if i ever told", "same-to-them-if-i-tell", RiskKind.Threat,
        "my sister said she would do the same for my cousin when she moves house")]
    [InlineData("he reminded me that kids who tell on him tend to have accidents", "those-who-tell-have-accidents", RiskKind.Threat,
        "the form asks people who have had accidents at work to tell the manager")]
    [InlineData("my trainer texted that they will never find your body if you go to the police", "nobody-finds-the-body", RiskKind.Threat,
        "the detective in the novel never finds the body until the last chapter")]
    [InlineData("the choir master said i would not make it to my next birthday if i opened my mouth", "never-see-a-birthday-if", RiskKind.Threat,
        "my nan did not see my birthday this year, she was in spain")]
    [InlineData("the cuts i just gave myself won't stop stinging", "wounds-i-gave-myself", RiskKind.SelfHarm,
        "the cuts i made to the budget are on the shared drive")]
    [InlineData("gave myself a burn with a hot spoon just now", "gave-myself-a-wound", RiskKind.SelfHarm,
        "gave myself a day off and went to the beach")]
    [InlineData("i held a lighter against my wrist until i couldn't stand it", "hot-thing-on-skin", RiskKind.SelfHarm,
        "i held the lighter to the candle for the birthday cake")]
    [InlineData("i'm really struggling to keep safe at the moment", "struggling-to-stay-safe", RiskKind.Unsafe,
        "i'm struggling to keep the paperwork in order at the moment")]
    [InlineData("honestly i'm scared of myself tonight", "worried-about-myself", RiskKind.Unsafe,
        "honestly i'm proud of myself for sending the email")]
    [InlineData("i'm in a frightening place in my head since the hearing", "in-a-scary-place", RiskKind.Unsafe,
        "i'm in a nice place in the countryside for the weekend")]
    [InlineData("barely hanging on since he got in touch again", "barely-holding-on", RiskKind.Unsafe,
        "barely slept since he got in touch again")]
    [InlineData("how high does the drop off the multistorey have to be to be sure", "how-high-a-fall", RiskKind.Means,
        "how high is the car park roof, my son wants to see the fireworks")]
    [InlineData("i know where my stepdad keeps the key for the gun cabinet now", "key-to-the-gun-safe", RiskKind.Means,
        "the farmer keeps his shotgun licence on the kitchen wall")]
    [InlineData("my ex is trying his old keys in my lock at this moment", "trying-my-lock", RiskKind.Danger,
        "the locksmith is outside fitting a new lock on my door")]
    [InlineData("i can't live with what that counsellor did to me", "cant-live-with-what-he-did", RiskKind.Suicide,
        "i can't live with the noise from the flat upstairs")]
    [InlineData("the gun cabinet key is in his desk drawer and i've taken it", "gun-safe-key", RiskKind.Means,
        "the gun safe in the museum had a glass front")]
    [InlineData("my stepmum just slapped me across the face and i'm in my room", "just-hit-me", RiskKind.Danger,
        "my stepmum just slapped the table and laughed at the joke")]
    [InlineData("he had his hand pressing against my throat until i went quiet", "pressing-on-my-throat", RiskKind.Danger,
        "i was pressing the flowers against my cheek for the photo")]
    [InlineData("honestly this is the worst i've ever felt and i'm home alone", "worst-i-have-been", RiskKind.Unsafe,
        "the worst i have ever felt was after the flu")]
    [InlineData("managed to get my hands on a load of his sleeping pills", "got-hands-on-the-means", RiskKind.Means,
        "managed to get my hands on tickets for the final")]
    [InlineData("the teacher who did this just came through the doors of the youth club", "the-one-who-did-it-just-came", RiskKind.Danger,
        "the plumber who did this just came back to fix the tap")]
    [InlineData("my ex-therapist has been driving round and round, circling our street for an hour", "circling-my-home", RiskKind.Danger,
        "the plane kept circling the airport before it landed")]
    [InlineData("the pastor has been waiting at the end of my driveway for an hour", "waiting-at-the-end-of-the-drive", RiskKind.Danger,
        "the taxi was waiting at the end of the road")]
    [InlineData("dug my nails into my arm so hard there's blood on my sleeve", "nails-into-skin-bleeding", RiskKind.SelfHarm,
        "dug my nails into the soil planting bulbs all afternoon")]
    [InlineData("i need someone to talk me down right now", "someone-to-talk-me-down", RiskKind.Unsafe,
        "i need someone to talk to about the form")]
    public void A_class_seen_in_a_development_set_fires_by_its_rule_and_its_ordinary_twin_stays_quiet(string risk, string ruleId, RiskKind kind, string ordinary)
    {
        var found = Rules.Assess(risk);
        Assert.Contains(found.Findings, f => f.RuleId == ruleId && f.Kind == kind);
        Assert.False(Rules.Assess(ordinary).IsRisk, ordinary);
    }

    /// <summary>
    /// Ordinary classes that fired on development readings, each in fresh words: each stays quiet, and its risk twin
    /// still fires.
    /// </summary>
    [Theory]
    // Branch triage10 (blind9): harm to one's own case, a removal van outside, a soap watched, a friend's habitual joke.
    [InlineData("did i harm myself by waiting two years to report him?", "i harm myself by cutting when the flashbacks come")]
    [InlineData("a van pulled up outside my flat, it was the removal men, moving day at last", "he pulled up outside my flat and he's sitting there watching")]
    [InlineData("my mum was watching a soap where a character jumps off a bridge and it upset her", "i'm going to jump off a bridge tonight")]
    [InlineData("my brother keeps joking he'll jump off the roof if his team loses, he's fine", "i'm on the roof and i'm going to jump off it")]
    // Branch triage11 (blind10): what chat words mean, a memory of a time that is over, an animal outside the door, old
    // things thrown out.
    [InlineData("what does unalive mean? my nephew keeps saying it about his homework", "i want to unalive myself tonight")]
    [InlineData("what does ctb stand for, it was in a group chat my son is in", "ctb tonight, i have it all planned")]
    [InlineData("there's a stray cat sitting outside my flat window every morning", "he is sitting outside my flat window right now")]
    [InlineData("my landlord threatened to throw away my boxes from the loft", "he threatened to throw acid on me")]
    [InlineData("i remember when i used to cut every night, that feels like another person now", "i cut again tonight and i can't stop")]
    public void An_ordinary_class_seen_in_a_development_set_stays_quiet_and_its_risk_twin_fires(string ordinary, string risk)
    {
        Assert.False(Rules.Assess(ordinary).IsRisk, ordinary);
        Assert.True(Rules.Assess(risk).IsRisk, risk);
    }
}
