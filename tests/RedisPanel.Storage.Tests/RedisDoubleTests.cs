using System.Text;
using RedisPanel.Storage;

namespace RedisPanel.Storage.Tests;

/// <summary>
/// RedisDouble.TryParse's integer shortcut (signed runs of up to 15 digits) gives exactly what the strtod path
/// gives, sign of zero included, and leaves every other form to that path.
/// </summary>
public class RedisDoubleTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("+0")]
    [InlineData("7")]
    [InlineData("+5")]
    [InlineData("007")]
    [InlineData("-00042")]
    [InlineData("99999")]
    [InlineData("123456789012345")]
    [InlineData("-999999999999999")]
    [InlineData("1234567890123456")]
    [InlineData("-98765432109876543210")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("-inf")]
    public void Integer_forms_parse_as_strtod_does(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.True(RedisDouble.TryParse(bytes, out double value));
        Assert.Equal(bytes.Length, RedisDouble.Strtod(bytes, out double expected, out _));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
    }

    [Theory]
    [InlineData("-")]
    [InlineData("+")]
    [InlineData("12a")]
    [InlineData("1 ")]
    [InlineData(" 1")]
    [InlineData("--1")]
    [InlineData("1-")]
    public void Non_numbers_are_rejected(string text)
    {
        Assert.False(RedisDouble.TryParse(Encoding.ASCII.GetBytes(text), out _));
    }
}
