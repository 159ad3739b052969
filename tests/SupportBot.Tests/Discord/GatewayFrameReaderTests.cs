using System.Text;
using System.Text.Json;
using SupportBot.Discord.Wire;

namespace SupportBot.Tests.Discord;

/// <summary>The gateway frame read in one pass: what the serializer read before, and the same frames refused.</summary>
public sealed class GatewayFrameReaderTests
{
    [Fact]
    public void A_dispatch_gives_its_op_sequence_name_and_data_read_straight_into_the_event()
    {
        var command = DiscordRig.Command("900", DiscordRig.Member("111", "ana"), "help").ToJsonString();
        var frame = Read($"{{\"t\":\"INTERACTION_CREATE\",\"s\":42,\"op\":0,\"d\":{command}}}")!;

        Assert.Equal((0, 42, "INTERACTION_CREATE"), (frame.Op, frame.S, frame.T));
        Assert.Equal(command, Encoding.UTF8.GetString(frame.D.Span));
        var interaction = JsonSerializer.Deserialize(frame.D.Span, DiscordJson.Default.WireInteraction)!;
        Assert.Equal(("900", "111"), (interaction.Id, interaction.Member?.User?.Id));
    }

    [Theory]
    [InlineData("{\"op\":11}")]
    [InlineData("{\"op\":11,\"d\":null,\"s\":null,\"t\":null}")]
    public void Missing_or_null_data_sequence_and_name_read_as_none(string text)
    {
        var frame = Read(text)!;

        Assert.Equal((11, (int?)null, (string?)null), (frame.Op, frame.S, frame.T));
        Assert.True(frame.D.IsEmpty);
    }

    [Fact]
    public void Numbers_as_strings_unknown_properties_and_repeats_read_as_the_serializer_read_them()
    {
        var frame = Read("{\"op\":\"9\",\"_trace\":[{\"a\":[1,{\"b\":2}]}],\"d\":false,\"s\":\"7\",\"d\":true,\"t\":\"SOMETHING_NEW\"}")!;

        Assert.Equal((9, 7, "SOMETHING_NEW"), (frame.Op, frame.S, frame.T));
        Assert.Equal("true", Encoding.UTF8.GetString(frame.D.Span));
    }

    [Fact]
    public void The_literal_null_is_no_frame()
    {
        Assert.Null(Read(" null "));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"op\":0,\"s\":")]
    [InlineData("[1,2,3]")]
    [InlineData("\"hello\"")]
    [InlineData("{\"op\":0} trailing")]
    [InlineData("{\"op\":0}{\"op\":0}")]
    [InlineData("{\"op\":null}")]
    [InlineData("{\"op\":1.5}")]
    [InlineData("{\"op\":99999999999}")]
    [InlineData("{\"op\":0,\"s\":\"seven\"}")]
    [InlineData("{\"op\":0,\"t\":12}")]
    [InlineData("{\"op\":0,\"d\":{\"id\":\"1\"}")]
    [InlineData("{\"op\":0,/*comment*/\"s\":1}")]
    public void A_frame_that_is_not_a_gateway_frame_is_refused_as_malformed_json(string text)
    {
        Assert.ThrowsAny<JsonException>(() => Read(text));
    }

    private static GatewayFrame? Read(string text) => GatewayFrameReader.Read(Encoding.UTF8.GetBytes(text));
}
