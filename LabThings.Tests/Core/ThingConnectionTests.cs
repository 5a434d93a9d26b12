using System.ComponentModel;
using LabThings.Tests.Support;
using Microsoft.Extensions.Logging;

namespace LabThings.Tests.Core;

/// <summary>A Thing and its connection to a host, tested with a fake host: what the Thing reports, and when.</summary>
public sealed class ThingConnectionTests
{
    [Fact]
    public void SetProperty_AttachedThing_ReportsEachChangeWithItsValueOnce()
    {
        var connection = new FakeConnection("instrument");
        var instrument = connection.Attach(new Instrument());

        instrument.Exposure = 2.5;
        instrument.Exposure = 2.5;
        instrument.Label = "cell 7";

        connection.Changes.Should().Equal(("exposure", 2.5), ("label", "cell 7"));
    }

    [Fact]
    public void SetProperty_BeforeAttach_StoresTheValueAndReportsNothing()
    {
        var connection = new FakeConnection();
        var instrument = new Instrument { Exposure = 3 };

        connection.Attach(instrument);

        instrument.Exposure.Should().Be(3);
        connection.Changes.Should().BeEmpty();
        instrument.Properties["exposure"].Default.Should().Be(3.0, "defaults are the values when the Thing is attached");
    }

    [Fact]
    public void SetProperty_ConcurrentWritersOfOneProperty_TheLastReportIsTheValueStored()
    {
        var connection = new FakeConnection();
        var instrument = connection.Attach(new Instrument());

        Parallel.For(1, 2001, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => instrument.Counter = i);

        connection.Changes.Last().Should().Be(("counter", (object)instrument.Counter), "reports for one property arrive in the order the values were stored");
    }

    [Fact]
    public void NotifyPropertyChanged_FunctionalProperty_IsReportedWithoutReadingIt()
    {
        var connection = new FakeConnection();
        var sensor = connection.Attach(new Sensor());

        sensor.Heat();

        connection.FunctionalChanges.Should().Equal("temperature");
        sensor.Reads.Should().Be(0, "the host reads a functional property only if it needs the value");
    }

    [Fact]
    public void Events_AreForwardedOnlyOnceAttached()
    {
        var worker = new Worker();
        worker.RaiseMoved(1, 2);
        var connection = new FakeConnection("worker");
        connection.Attach(worker);

        worker.RaiseMoved(3, 4);
        worker.RaisePinged();

        connection.Events.Should().Equal(("moved", new Position(3, 4)), ("pinged", null));
    }

    [Fact]
    public void NameAndLogger_ComeFromTheConnection()
    {
        var logger = new ListLogger();
        var sensor = new Sensor();
        sensor.Name.Should().BeNull();

        new FakeConnection("oven") { Logger = logger }.Attach(sensor);
        sensor.Heat();

        sensor.Name.Should().Be("oven");
        logger.Messages.Should().Equal("heating");
    }

    [Fact]
    public void Attach_Twice_Throws()
    {
        var sensor = new FakeConnection("one").Attach(new Sensor());

        var act = () => new FakeConnection("two").Attach(sensor);

        act.Should().Throw<InvalidOperationException>().WithMessage("*already attached*'one'*");
    }

    [Fact]
    public void Attach_WithAnotherTypesDefinition_Throws()
    {
        var act = () => new Sensor().Attach(new FakeConnection(), ThingDefinitions.Get<Instrument>());

        act.Should().Throw<InvalidOperationException>().WithMessage("*Instrument*Sensor*");
    }

    [Fact]
    public void Definition_IsTheSharedCachedOne()
    {
        new Sensor().Definition.Should().BeSameAs(new Sensor().Definition).And.BeSameAs(ThingDefinitions.Get<Sensor>());
    }

    [Description("A sensor with a functional property")]
    private sealed class Sensor : Thing
    {
        private double _temperature = 20;

        public int Reads { get; private set; }

        [ThingProperty(Observable = true)]
        public double Temperature
        {
            get
            {
                Reads++;
                return _temperature;
            }
        }

        public void Heat()
        {
            Logger.LogInformation("heating");
            _temperature += 1;
            NotifyPropertyChanged(nameof(Temperature));
        }
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Messages.Add(formatter(state, exception));
    }
}
