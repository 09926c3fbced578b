//! The command line as clap sees it. `settings.rs` turns it into validated settings; commands
//! never read these structs directly.

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "dlq",
    version,
    about = "Operate dead-letter queues on Apache Kafka and Apache Pulsar",
    long_about = "Operate dead-letter queues on Apache Kafka and Apache Pulsar.\n\n\
        dlq reads the metadata that Kafka Connect, Kafka Streams, Spring Kafka, Spring Cloud Stream, \
        SmallRye, Karafka, Watermill, the Pulsar clients and JSON envelopes write on dead letters, \
        and shows why each entry failed and where it came from. Payloads are redacted by default.",
    after_help = "Exit codes: 0 success, 1 error, 2 usage, 3 partial failure, 4 broker unreachable or timed out, 5 declined or aborted."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List dead-letter entries with their context, one row each
    #[command(after_help = "Examples:\n  \
        dlq -b kafka://localhost:9092 list orders.DLT\n  \
        dlq list orders.DLT --since 2h --grep 'Timeout|Deserializ' --limit 50\n  \
        dlq list orders-billing-DLQ -b pulsar://localhost:6650 -o jsonl | jq -r .error_class | sort | uniq -c")]
    List(ListArgs),
    /// Show one entry in full: headers, context, stack trace and payload (redacted by default)
    #[command(after_help = "Examples:\n  \
        dlq inspect orders.DLT 0:42\n  \
        dlq inspect orders-billing-DLQ 12:7:-1 -b pulsar://localhost:6650 -o json\n  \
        dlq inspect orders.DLT 0:42 --reveal   # raw data; prints a warning")]
    Inspect(InspectArgs),
    /// Print a shell completion script
    #[command(after_help = "Example:\n  dlq completions bash > /etc/bash_completion.d/dlq")]
    Completions {
        /// The shell to generate for
        shell: clap_complete::Shell,
    },
}

/// Where the broker is and how long to wait for it.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT
    #[arg(short = 'b', long, env = "DLQ_BROKER", value_name = "URL")]
    pub broker: Option<String>,
    /// Give up on an unresponsive broker after this long (exit code 4)
    #[arg(long, default_value = "10s", value_name = "DURATION")]
    pub timeout: String,
    /// Kafka: the operator consumer group dlq uses (it never joins or commits while reading)
    #[arg(long, default_value = "dlq-cli", value_name = "GROUP")]
    pub group: String,
    /// Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest
    /// position on first use; reading never acknowledges)
    #[arg(long, default_value = "dlq-cli", value_name = "NAME")]
    pub subscription: String,
}

/// Which entries to work on.
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only entries written before TIME (same forms as --since)
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only these DLQ partitions (repeat or separate with commas)
    #[arg(long, value_name = "N", value_delimiter = ',')]
    pub partition: Vec<i32>,
    /// Only entries whose error class, message or stack trace matches REGEX
    #[arg(long, value_name = "REGEX")]
    pub grep: Option<String>,
    /// Only entries whose origin topic is TOPIC
    #[arg(long, value_name = "TOPIC")]
    pub origin: Option<String>,
    /// Only entries whose key is exactly KEY
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
    /// Stop after N matching entries
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
}

/// How dead-letter metadata is read.
#[derive(Debug, Args)]
pub struct ConventionArgs {
    /// Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of
    /// origin_topic, origin_partition, origin_offset, origin_message_id, error_class,
    /// error_message, stacktrace, retry_count, consumer_group, failed_at
    #[arg(long = "header-map", value_name = "FIELD=HEADER")]
    pub header_map: Vec<String>,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format [default: table on a terminal, jsonl otherwise]
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,
    /// Show keys, payloads and headers unredacted (prints a warning)
    #[arg(long)]
    pub reveal: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// The DLQ topic
    pub topic: String,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub conventions: ConventionArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The DLQ topic
    pub topic: String,
    /// The entry, as `dlq list` prints it: PARTITION:OFFSET on Kafka, the message id on Pulsar
    pub id: String,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub conventions: ConventionArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}
