using Kairos.Cli;
using Spectre.Console;

namespace Kairos.Tests.Cli;

/// <summary>Tables: plain columns when written anywhere but a terminal, a Spectre.Console table on one.</summary>
public sealed class TableWriterTests
{
    [Fact]
    public void Redirected_output_is_plain_aligned_columns_without_escape_codes()
    {
        var output = new StringWriter();

        TableWriter.Write(output, ["NAME", "STATE"], [["nightly", "active"], ["a-much-longer-name", null]]);

        Assert.Equal("NAME                STATE\nnightly             active\na-much-longer-name  -\n", output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_terminal_gets_a_bordered_table_whose_cells_are_text_not_markup()
    {
        var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(screen) });

        TableWriter.Render(console, ["NAME", "FILTER"], [["big-orders", "[red]{\"x\":1}[/]"]]);

        var text = screen.ToString();
        Assert.Contains("╭", text);
        Assert.Contains("big-orders", text);
        Assert.Contains("[red]{\"x\":1}[/]", text);
    }

    [Fact]
    public void An_empty_terminal_table_says_none()
    {
        var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(screen) });

        TableWriter.Render(console, ["NAME"], []);

        Assert.Contains("(none)", screen.ToString());
    }
}
