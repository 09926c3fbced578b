//! The command line as clap sees it. `settings.rs` turns it into validated settings; commands
//! never read these structs directly.

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "dlq",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("DLQ_GIT_REVISION"), ")"),
    about = "Operate dead-letter queues on Apache Kafka and Apache Pulsar",
    long_about = "Operate dead-letter queues on Apache Kafka and Apache Pulsar.\n\n\
        dlq reads the metadata that Kafka Connect, Kafka Streams, Spring Kafka, Spring Cloud Stream, \
        SmallRye, Karafka, Watermill, the Pulsar clients and JSON envelopes write on dead letters, \
        and shows why each entry failed and where it came from. Payloads are redacted by default.",
    after_help = "Exit codes: 0 success, 1 error, 2 usage, 3 partial failure, 4 broker unreachable or timed out, 5 declined or aborted."
)]
pub(crate) struct Cli {
    /// Use this context of the config file (see `dlq config`)
    #[arg(long, global = true, env = "DLQ_CONTEXT", value_name = "NAME")]
    pub context: Option<String>,
    /// Log what dlq does on stderr: -v steps, -vv every entry (topic, id, convention, status;
    /// never payloads or secrets)
    #[arg(short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Colour on stderr: auto (a terminal, and NO_COLOR unset), always, never
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
    /// Send dead letters back to their origin topic (or --to); each is marked handled only after
    /// the broker confirmed its copy. On a main topic: rewind a consumer group or subscription to
    /// a time (--since with --group/--subscription), or copy a time window (--since … --to)
    #[command(after_help = "Examples:\n  \
        dlq replay orders.DLT --grep NumberFormatException --dry-run\n  \
        dlq replay orders --since 2026-11-21T10:42:00+01:00 --group billing        # rewind a group\n  \
        dlq replay orders --since '2026-11-21 10:42' --tz Europe/Paris --subscription billing -b pulsar://…\n  \
        dlq replay orders --since 2h --until 1h --to orders-reprocess -y              # copy a window\n  \
        dlq replay orders.DLT --since 2026-11-21T10:42:00Z --origin orders\n  \
        dlq replay orders.DLT --id 0:42 --id 1:7 --to orders-retry -y\n  \
        dlq replay orders-billing-DLQ -b pulsar://localhost:6650 --all --rate 200 -y -o json\n\n\
        Without a terminal (CI), -y/--yes is required; otherwise dlq refuses with exit code 5.\n\
        Exit code 3 when some entries were skipped or failed; the summary lists them.")]
    Replay(ReplayArgs),
    /// Delete exactly the selected entries, after a backup (Kafka: DeleteRecords on a prefix of
    /// each partition; Pulsar: acknowledged on the operator subscription)
    #[command(after_help = "Examples:\n  \
        dlq purge orders.DLT --before 7d --dry-run\n  \
        dlq purge orders.DLT --grep 'TestException' -y          # CI: no prompt\n  \
        dlq purge orders-billing-DLQ -b pulsar://localhost:6650 --all -y --backup /tmp/billing.jsonl\n  \
        dlq purge orders.DLT --all --mark-handled -y            # Kafka without DeleteRecords\n\n\
        The backup (default $XDG_STATE_HOME/dlq/backups/) restores with `dlq replay --from-file FILE`.\n\
        Without a terminal (CI), -y/--yes is required; otherwise dlq refuses with exit code 5.")]
    Purge(PurgeArgs),
    /// Write the selected entries as JSON Lines, unredacted, for backups or `replay --from-file`
    #[command(after_help = "Examples:\n  \
        dlq export orders.DLT --out orders-dlt.jsonl\n  \
        dlq export orders.DLT --grep DataException | gzip > dataexception.jsonl.gz")]
    Export(ExportArgs),
    /// Summarise a DLQ: which failures, how many, since when
    #[command(
        after_help = "Counts by error class, origin topic, convention, partition and retry count; the oldest \
        and newest entry and their age; total payload bytes. Streams the topic in bounded memory.\n\n\
        Examples:\n  \
        dlq stats orders.DLT                                   # triage: what is failing?\n  \
        dlq stats orders.DLT --since 1h -o json | jq '.by_error_class[0]'\n  \
        dlq stats orders-billing-DLQ -b pulsar://localhost:6650 --all"
    )]
    Stats(StatsArgs),
    /// Group a DLQ's entries by failure: which bugs, how many of each, since when, one example
    #[command(
        after_help = "One row per failure fingerprint: the root cause's class (not the wrapper a framework \
        puts around it), its message with the variable parts masked, the top frames of its stack \
        and the origin topic. The same bug gives the same fingerprint across entries, partitions and \
        runs; `--fingerprint ID` then selects exactly that failure in list, stats, export, replay and \
        purge. Streams the topic in bounded memory (past 10,000 distinct failures the rest count as \
        (other)).\n\n\
        Examples:\n  \
        dlq groups orders.DLT\n  \
        dlq groups orders.DLT --since 1h -o json | jq -r '.[0].fingerprint'\n  \
        dlq replay orders.DLT --fingerprint 3fa9c2e1 -y          # replay the failure whose bug was fixed\n  \
        dlq purge orders.DLT --fingerprint 3fa9c2e1 -y           # or purge it"
    )]
    Groups(GroupsArgs),
    /// Check DLQs against thresholds, for cron jobs and CI: exit 6 when one is crossed
    #[command(
        after_help = "One look at each DLQ (Kafka: watermarks, the operator group's offsets, a time lookup and \
        one record a partition; Pulsar: the operator subscription's backlog read through), one line \
        each (OK, or the thresholds crossed), exit 6 when any threshold is crossed and 0 when every \
        one holds.\n\n\
        Examples:\n  \
        dlq check orders.DLT payments.DLT --max-entries 0                 # CI: the DLQs must be empty\n  \
        dlq check orders.DLT --max-age 1h --max-rate 100/min -o json      # cron: alert on stale or bursting"
    )]
    Check(CheckArgs),
    /// Watch DLQs live: size, arrivals and removals, the oldest entry, the top failures
    #[command(
        after_help = "The first refresh reads what the operator has not handled, once; each later one reads only \
        what arrived (from the end, never joining the operator group or subscription) and asks the broker \
        what was handled (Kafka: the operator group's offsets and the log starts; Pulsar: the operator \
        subscription's cursor). Memory holds about 40 bytes per unhandled entry, never a payload.\n\n\
        On a terminal: a live view, q or Ctrl-C to quit. Otherwise (or with -o json): one JSON line per \
        refresh. --serve ADDR serves the metrics of `stats -o openmetrics` at /metrics (Prometheus text \
        unless the scraper asks for OpenMetrics) and /healthz (503 when the last refresh failed).\n\n\
        Examples:\n  \
        dlq watch orders.DLT payments.DLT                       # during an incident\n  \
        dlq watch orders.DLT --serve 9464 -o json > /dev/null   # for Prometheus, on 127.0.0.1:9464"
    )]
    Watch(WatchArgs),
    /// Repair one entry's payload in your editor, then replay the edited version once
    #[command(
        after_help = "Opens $VISUAL (else $EDITOR, else vi) on the JSON payload replay would send for the entry, \
        unredacted in a file only you can read (removed afterwards). What you save is checked (JSON), \
        shown as a redacted diff, then replayed through `dlq replay` with its plan and prompt: the copy \
        carries dlq-replay-of, dlq-replay-count and dlq-patched, and the entry is marked handled once the \
        copy is confirmed; the original is never sent as well. Saving nothing, or an empty file, sends \
        nothing (exit 5).\n\n\
        Example:\n  \
        EDITOR=nano dlq edit orders.DLT 0:42"
    )]
    Edit(EditArgs),
    /// List the topics that look like DLQs, with their entry counts
    #[command(
        after_help = "A topic looks like a DLQ by name: *.DLT, *-dlt, *-DLQ and *-RETRY (Pulsar: \
        <topic>-<subscription>-DLQ and -RETRY), *.dlq, dlq-*, case-insensitively, plus --pattern GLOB \
        and a context's dlq-patterns.\n\
        Kafka counts come from watermarks (retained; transaction markers count too) and the operator \
        group's offsets (unhandled);\n\
        Pulsar lists the namespace through its admin API (--admin-url), a partitioned topic once; \
        unhandled is the operator subscription's backlog (read through where it does not exist yet).\n\n\
        Examples:\n  \
        dlq topics -b kafka://localhost:9092\n  \
        dlq topics --pattern '*.errors' -o json | jq -r '.[] | select(.unhandled > 0) | .topic'"
    )]
    Topics(TopicsArgs),
    /// Contexts in the config file: list them, show one, or choose the current one
    #[command(
        after_help = "The file: $DLQ_CONFIG, else $XDG_CONFIG_HOME/dlq/config.toml (~/.config/dlq/config.toml).\n\
        Precedence: flags > environment > context > defaults.\n\n\
        Example file:\n  \
        current-context = \"staging\"\n  \
        [contexts.staging]\n  \
        broker = \"kafka://kafka.staging:9093\"\n  \
        sasl-mechanism = \"SCRAM-SHA-512\"\n  \
        sasl-username = \"dlq-operator\"\n  \
        password-file = \"/run/secrets/dlq-staging\"\n  \
        output = \"table\"\n  \
        redact-fields = [\"order_ref\"]\n  \
        [contexts.pulsar-prod]\n  \
        broker = \"pulsar+ssl://pulsar.prod:6651\"\n  \
        oauth2-issuer-url = \"https://auth.example.com/\"\n  \
        oauth2-credentials-file = \"/run/secrets/pulsar-key.json\""
    )]
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Print the man page (roff)
    #[command(after_help = "Example:\n  dlq man > /usr/local/share/man/man1/dlq.1")]
    Man,
    /// Print a shell completion script
    #[command(after_help = "Example:\n  dlq completions bash > /etc/bash_completion.d/dlq")]
    Completions {
        /// The shell to generate for
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConfigAction {
    /// List the contexts; * marks the one in force
    #[command(
        after_help = "Example:\n  dlq config list                  # which cluster am I on?"
    )]
    List,
    /// Show a context (the one in force by default); passwords are not shown
    #[command(
        after_help = "Example:\n  dlq config show production       # broker, auth, redaction rules"
    )]
    Show { name: Option<String> },
    /// Make NAME the current context
    #[command(
        after_help = "Examples:\n  dlq config use staging && dlq list orders.DLT\n  DLQ_CONTEXT=production dlq stats orders.DLT   # one command, another context"
    )]
    Use { name: String },
}

/// Where the broker is and how long to wait for it.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection and authentication")]
pub(crate) struct ConnectArgs {
    /// Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT
    #[arg(short = 'b', long, env = "DLQ_BROKER", value_name = "URL")]
    pub broker: Option<String>,
    /// Give up on an unresponsive broker after this long (exit code 4) [default: 10s]
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Kafka: the operator consumer group dlq uses (it joins only with `replay --join`; reading
    /// commits nothing) [default: dlq-cli]. With `replay TOPIC --since TIME` alone, the group to rewind
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,
    /// Kafka: a librdkafka property, KEY=VALUE (repeatable), as kcat's -X. Secrets here are
    /// visible to `ps`: prefer DLQ_SASL_PASSWORD or --password-file
    #[arg(short = 'X', value_name = "KEY=VALUE")]
    pub librdkafka: Vec<String>,
    /// Kafka SASL mechanism
    #[arg(long, value_parser = sasl_mechanism(), value_name = "MECHANISM")]
    pub sasl_mechanism: Option<SaslMechanism>,
    /// Kafka SASL user
    #[arg(long, env = "DLQ_SASL_USERNAME", value_name = "USER")]
    pub sasl_username: Option<String>,
    /// Kafka SASL password, read from FILE (or set DLQ_SASL_PASSWORD); there is no password flag,
    /// so `ps` never shows it
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<std::path::PathBuf>,
    /// Connect with TLS (implied by --ca-file, --cert-file and --key-file)
    #[arg(long)]
    pub tls: bool,
    /// TLS: the CA certificate(s) that sign the broker's certificate (PEM)
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<std::path::PathBuf>,
    /// Kafka TLS: client certificate for mutual TLS (PEM)
    #[arg(long, value_name = "FILE")]
    pub cert_file: Option<std::path::PathBuf>,
    /// Kafka TLS: the client certificate's private key (PEM)
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<std::path::PathBuf>,
    /// Pulsar: authentication token, read from FILE (or set DLQ_PULSAR_TOKEN)
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<std::path::PathBuf>,
    /// Pulsar OAuth2 client credentials: the issuer (its `/.well-known/openid-configuration`
    /// names the token endpoint)
    #[arg(long, env = "DLQ_OAUTH2_ISSUER_URL", value_name = "URL")]
    pub oauth2_issuer_url: Option<String>,
    /// Pulsar OAuth2: the key file, JSON `{"client_id": …, "client_secret": …}` as pulsar-admin
    /// and pulsarctl take it
    #[arg(long, env = "DLQ_OAUTH2_CREDENTIALS_FILE", value_name = "FILE")]
    pub oauth2_credentials_file: Option<std::path::PathBuf>,
    /// Pulsar OAuth2: the audience to ask the token for
    #[arg(long, env = "DLQ_OAUTH2_AUDIENCE", value_name = "AUDIENCE")]
    pub oauth2_audience: Option<String>,
    /// Pulsar OAuth2: the scope to ask the token for
    #[arg(long, env = "DLQ_OAUTH2_SCOPE", value_name = "SCOPE")]
    pub oauth2_scope: Option<String>,
    /// A SASL password the config file holds (never a flag).
    #[arg(skip)]
    pub context_password: Option<crate::secret::Secret>,
    /// Pulsar: the admin REST API, for topic listings, subscription stats and rewinds [default:
    /// http://HOST:8080 for pulsar://HOST:PORT, https://HOST:8443 for pulsar+ssl://]
    #[arg(long, env = "DLQ_PULSAR_ADMIN_URL", value_name = "URL")]
    pub admin_url: Option<String>,
    /// Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest
    /// position on first use; reading never acknowledges) [default: dlq-cli]. With
    /// `replay TOPIC --since TIME` alone, the subscription to rewind
    #[arg(long, value_name = "NAME")]
    pub subscription: Option<String>,
}

/// Which entries to work on.
#[derive(Debug, Args)]
#[command(next_help_heading = "Selection")]
pub(crate) struct SelectArgs {
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
    /// Only entries of this failure (the fingerprint `dlq groups` and `list -o json` show;
    /// repeat or separate with commas)
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub fingerprint: Vec<String>,
    /// Only entries this CEL expression is true for, over `payload` (decoded), `key`, `headers`,
    /// `headers_all` and the context (`error_class`, `error_message`, `origin_topic`,
    /// `origin_partition`, `origin_offset`, `retry_count`, `consumer_group`, `timestamp`,
    /// `fingerprint`, `partition`), e.g. 'payload.customer.tier == "gold" && retry_count > 2'
    #[arg(long = "where", value_name = "EXPR")]
    pub where_: Option<String>,
    /// Stop after N matching entries
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Read local times in --since/--until/--before in this zone (e.g. Europe/Paris) [default: UTC]
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
}

impl SelectArgs {
    /// A filter besides the time window (--since/--until) is given: the one list of what
    /// narrows a selection on the command line (a rewind takes a time alone).
    pub(crate) fn filters_besides_time(&self) -> bool {
        self.grep.is_some()
            || self.origin.is_some()
            || self.key.is_some()
            || self.limit.is_some()
            || !self.partition.is_empty()
            || !self.fingerprint.is_empty()
            || self.where_.is_some()
    }
}

/// How dead-letter metadata is read.
#[derive(Debug, Args)]
#[command(next_help_heading = "Dead-letter conventions")]
pub(crate) struct ConventionArgs {
    /// Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of
    /// origin_topic, origin_partition, origin_offset, origin_message_id, error_class,
    /// error_message, stacktrace, retry_count, consumer_group, failed_at
    #[arg(long = "header-map", value_name = "FIELD=HEADER")]
    pub header_map: Vec<String>,
}

/// How keys and payloads are decoded.
#[derive(Debug, Args)]
#[command(next_help_heading = "Decoding")]
pub(crate) struct DecodeArgs {
    /// How to read payloads [default: auto: the registry wire format (with --schema-registry),
    /// a Pulsar topic schema, an Avro container file, Avro with --value-schema, JSON, text,
    /// then binary]. Keys are read as Avro only with --key-schema or the registry. `export`
    /// adds decoded copies only when asked (this flag, a schema or a registry)
    #[arg(long, value_enum, value_name = "HOW")]
    pub decode: Option<DecodeMode>,
    /// Avro schema (.avsc) of the payloads: a raw datum, or single-object encoding
    #[arg(long, value_name = "FILE")]
    pub value_schema: Option<std::path::PathBuf>,
    /// Avro schema (.avsc) of the keys
    #[arg(long, value_name = "FILE")]
    pub key_schema: Option<std::path::PathBuf>,
    /// Schema registry for the wire format (magic byte 0 + 4-byte schema id)
    #[arg(long, env = "DLQ_SCHEMA_REGISTRY", value_name = "URL")]
    pub schema_registry: Option<String>,
    /// Schema registry user (basic auth); the password comes from DLQ_SCHEMA_REGISTRY_PASSWORD
    /// or --schema-registry-password-file
    #[arg(long, env = "DLQ_SCHEMA_REGISTRY_USER", value_name = "USER")]
    pub schema_registry_user: Option<String>,
    /// Schema registry password, read from FILE
    #[arg(long, value_name = "FILE")]
    pub schema_registry_password_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DecodeMode {
    Auto,
    Json,
    Avro,
    Text,
    Binary,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Output and redaction")]
pub(crate) struct OutputArgs {
    /// Output format [default: table on a terminal, jsonl otherwise]
    #[arg(short = 'o', long, value_parser = output_format(), value_name = "FORMAT")]
    pub output: Option<OutputFormat>,
    /// Show keys, payloads and headers unredacted (prints a warning)
    #[arg(long)]
    pub reveal: bool,
    #[command(flatten)]
    pub redact: RedactArgs,
}

/// Redaction rules of the user's own, added to the built-in ones and the context's.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Output and redaction")]
pub(crate) struct RedactArgs {
    /// Also mask this JSON field or header name whole, in any spelling (order_ref matches
    /// orderRef) (repeatable; adds to the built-in rules and the context's)
    #[arg(long = "redact-field", value_name = "NAME")]
    pub redact_fields: Vec<String>,
    /// Also mask values matching this regex wherever they appear (repeatable)
    #[arg(long = "redact-pattern", value_name = "REGEX")]
    pub redact_patterns: Vec<String>,
    /// A team's redaction policy, a TOML file: `redaction = "default"|"allow-list"`, `allow`,
    /// `fields`, `patterns` (see README, "Redaction")
    #[arg(long, value_name = "FILE")]
    pub redaction_policy: Option<std::path::PathBuf>,
    /// Allow-list mode: mask every payload field, header value and the key except these names
    /// (repeatable; `key` shows the key, `payload` a payload that is not JSON)
    #[arg(long = "redact-all-except", value_name = "FIELD")]
    pub redact_all_except: Vec<String>,
}

/// Safety for commands that change something.
#[derive(Debug, Args)]
#[command(next_help_heading = "Safety")]
pub(crate) struct ConfirmArgs {
    /// Do not ask for confirmation (required without a terminal)
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Show the plan and what would be sent; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ReplayArgs {
    /// The DLQ topic (not with --from-file)
    #[arg(required_unless_present = "from_file", conflicts_with = "from_file")]
    pub topic: Option<String>,
    /// Publish the entries of a `dlq export` file or a purge backup, as they were, to the DLQ
    /// topic they came from (or --to)
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<std::path::PathBuf>,
    /// How keys in the plan and in --dry-run lines are masked
    #[command(flatten)]
    pub redact: RedactArgs,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Only this entry, as `dlq list` prints its id (repeatable)
    #[arg(long = "id", value_name = "ID")]
    pub ids: Vec<String>,
    /// Every entry not yet handled (required when no filter or --id narrows the selection)
    #[arg(long)]
    pub all: bool,
    /// Send to TOPIC instead of each entry's origin topic
    #[arg(long, value_name = "TOPIC")]
    pub to: Option<String>,
    /// Kafka: send to the original partition instead of letting the key decide
    #[arg(long)]
    pub keep_partition: bool,
    /// Keep the dead-letter context headers (__connect.errors.*, kafka_dlt-*, REAL_TOPIC, …)
    #[arg(long)]
    pub keep_dlq_headers: bool,
    /// Refuse entries already replayed this many times (their dlq-replay-count), as likely loops
    /// [default: 3]
    #[arg(long, value_name = "N")]
    pub max_replays: Option<u32>,
    /// Send at most N messages per second
    #[arg(long, value_name = "N")]
    pub rate: Option<u32>,
    /// Send only to topics matching this glob (repeatable; adds to the context's
    /// `replay-targets`): any other target is refused before anything is sent
    #[arg(long = "allow-target", value_name = "PATTERN")]
    pub allow_targets: Vec<String>,
    /// The context's `replay-targets` (not a flag).
    #[arg(skip)]
    pub context_targets: Vec<String>,
    /// Repair each payload before sending: a jq program run on its JSON value (e.g.
    /// '.customer_id = .customerId | del(.customerId)'); entries it fails on are skipped. The
    /// copy carries dlq-patched (a hash of the program). Preview with --dry-run
    #[arg(long, value_name = "EXPR", conflicts_with = "patch_file")]
    pub patch: Option<String>,
    /// As --patch, the program read from FILE; a JSON array there is an RFC 6902 JSON Patch
    #[arg(long, value_name = "FILE")]
    pub patch_file: Option<std::path::PathBuf>,
    /// --patch: the Avro schema (.avsc) the payloads were written with (a raw datum, or
    /// single-object encoding): the patched value is written back with it
    #[arg(long, value_name = "FILE")]
    pub value_schema: Option<std::path::PathBuf>,
    /// --patch: the schema registry for payloads in its wire format (the patched value is
    /// written back with the same schema id)
    #[arg(long, env = "DLQ_SCHEMA_REGISTRY", value_name = "URL")]
    pub schema_registry: Option<String>,
    /// Schema registry user (basic auth); the password comes from DLQ_SCHEMA_REGISTRY_PASSWORD
    /// or --schema-registry-password-file
    #[arg(long, env = "DLQ_SCHEMA_REGISTRY_USER", value_name = "USER")]
    pub schema_registry_user: Option<String>,
    /// Schema registry password, read from FILE
    #[arg(long, value_name = "FILE")]
    pub schema_registry_password_file: Option<std::path::PathBuf>,
    /// With a schema registry, every copy must be readable with its target's latest
    /// TOPIC-value schema (others are skipped); this turns that check off
    #[arg(long)]
    pub no_schema_check: bool,
    /// Send N entries first, wait (--canary-wait), and stop (exit 3) if any comes back to the
    /// DLQ as a new dead letter; otherwise ask, then send the rest
    #[arg(long, value_name = "N")]
    pub canary: Option<u64>,
    /// How long --canary waits for its entries to fail again [default: 30s]
    #[arg(long, value_name = "DURATION")]
    pub canary_wait: Option<String>,
    /// Replay as one member of the operator group: run the same command in several processes
    /// and the broker's group protocol shares the partitions among them (Kafka consumer group,
    /// Pulsar Failover subscription). Needs -y; no --dry-run
    #[arg(long)]
    pub join: bool,
    /// Print only errors (no plan, no progress bar)
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Rewind: proceed even where the broker cannot tell whether the group has active members
    /// (you have stopped its consumers)
    #[arg(long)]
    pub assume_inactive: bool,
    /// Rewind: put the group or subscription back to the positions a rewind saved in FILE
    /// (the path every rewind prints), with the same plan, confirmation and activity check
    #[arg(long, value_name = "FILE", conflicts_with = "from_file")]
    pub restore_positions: Option<std::path::PathBuf>,
    /// Rewind: where to save the positions from before the change [default:
    /// $XDG_STATE_HOME/dlq/positions/CONSUMER@TOPIC-TIME.json]
    #[arg(long, value_name = "FILE")]
    pub save_positions: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
    #[command(flatten)]
    pub conventions: ConventionArgs,
    /// Summary format [default: text on a terminal, one JSON document otherwise]
    #[arg(short = 'o', long, value_parser = output_format(), value_name = "FORMAT")]
    pub output: Option<OutputFormat>,
}

#[derive(Debug, Args)]
pub(crate) struct PurgeArgs {
    /// The DLQ topic
    pub topic: String,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Only this entry, as `dlq list` prints its id (repeatable)
    #[arg(long = "id", value_name = "ID")]
    pub ids: Vec<String>,
    /// Every entry not yet handled (required when nothing else narrows the selection)
    #[arg(long)]
    pub all: bool,
    /// Only the prefix of each partition older than TIME (same forms as --since)
    #[arg(long, value_name = "TIME")]
    pub before: Option<String>,
    /// Kafka: move the operator group past the selected prefix instead of deleting records
    #[arg(long)]
    pub mark_handled: bool,
    /// Write the backup here [default: $XDG_STATE_HOME/dlq/backups/TOPIC-TIME.jsonl]
    #[arg(long, value_name = "FILE", conflicts_with = "no_backup")]
    pub backup: Option<std::path::PathBuf>,
    /// Purge without writing a backup first
    #[arg(long)]
    pub no_backup: bool,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
    #[command(flatten)]
    pub conventions: ConventionArgs,
    /// Summary format [default: text on a terminal, one JSON document otherwise]
    #[arg(short = 'o', long, value_parser = output_format(), value_name = "FORMAT")]
    pub output: Option<OutputFormat>,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The DLQ topic
    pub topic: String,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    /// Only this entry (repeatable)
    #[arg(long = "id", value_name = "ID")]
    pub ids: Vec<String>,
    /// Include entries already handled (replayed or purged) that the broker still retains
    #[arg(long)]
    pub include_handled: bool,
    /// Deprecated spelling of --include-handled (on replay and purge, --all accepts an
    /// unfiltered selection)
    #[arg(long = "all", hide = true)]
    pub all_deprecated: bool,
    /// Write to FILE (created, never overwritten; readable by you only) instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub conventions: ConventionArgs,
    /// Mask keys, headers, payloads and the context as `inspect` does (the built-in rules, a
    /// policy, --redact-* flags), for sharing; such a file cannot be replayed
    #[arg(long)]
    pub redact: bool,
    #[command(flatten)]
    pub redact_rules: RedactArgs,
    #[command(flatten)]
    pub decode: DecodeArgs,
}

/// The broker port names the SASL mechanisms; the command line offers them.
pub(crate) use crate::broker::SaslMechanism;

fn sasl_mechanism() -> impl clap::builder::TypedValueParser<Value = SaslMechanism> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(SaslMechanism::NAMES)
        .map(|name| SaslMechanism::from_name(&name).expect("a name PossibleValuesParser accepted"))
}

/// The output layer owns its formats; the command line only names them.
pub(crate) use crate::output::OutputFormat;

/// `-o FORMAT`: one of the output layer's formats (listed in `--help` and the completions).
fn output_format() -> impl clap::builder::TypedValueParser<Value = OutputFormat> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(OutputFormat::NAMES)
        .map(|name| OutputFormat::from_name(&name).expect("a name PossibleValuesParser accepted"))
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// The DLQ topic
    pub topic: String,
    /// Include entries already handled (replayed or purged) that the broker still retains
    #[arg(long)]
    pub include_handled: bool,
    /// Deprecated spelling of --include-handled (on replay and purge, --all accepts an
    /// unfiltered selection)
    #[arg(long = "all", hide = true)]
    pub all_deprecated: bool,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub conventions: ConventionArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub decode: DecodeArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The DLQ topics
    #[arg(required = true)]
    pub topics: Vec<String>,
    /// At most N unhandled entries
    #[arg(long, value_name = "N")]
    pub max_entries: Option<u64>,
    /// The oldest unhandled entry at most this old (e.g. 30m, 1h, 2d)
    #[arg(long, value_name = "DURATION")]
    pub max_age: Option<String>,
    /// At most N entries written in the last minute: N/min (or N/s, N/h)
    #[arg(long, value_name = "N/min")]
    pub max_rate: Option<String>,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Output format [default: table on a terminal, json otherwise]
    #[arg(short = 'o', long, value_parser = output_format(), value_name = "FORMAT")]
    pub output: Option<OutputFormat>,
}

#[derive(Debug, Args)]
pub(crate) struct EditArgs {
    /// The DLQ topic
    pub topic: String,
    /// The entry, as `dlq list` prints its id
    pub id: String,
    /// Send to TOPIC instead of the entry's origin topic
    #[arg(long, value_name = "TOPIC")]
    pub to: Option<String>,
    /// Kafka: send to the original partition instead of letting the key decide
    #[arg(long)]
    pub keep_partition: bool,
    /// Keep the dead-letter context headers (__connect.errors.*, kafka_dlt-*, REAL_TOPIC, …)
    #[arg(long)]
    pub keep_dlq_headers: bool,
    /// Refuse the entry if already replayed this many times [default: 3]
    #[arg(long, value_name = "N")]
    pub max_replays: Option<u32>,
    /// Send only to topics matching this glob (repeatable; adds to the context's
    /// `replay-targets`)
    #[arg(long = "allow-target", value_name = "PATTERN")]
    pub allow_targets: Vec<String>,
    /// The context's `replay-targets` (not a flag).
    #[arg(skip)]
    pub context_targets: Vec<String>,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub conventions: ConventionArgs,
    /// How the diff is masked
    #[command(flatten)]
    pub redact: RedactArgs,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
    /// Output format of the summary [default: table on a terminal, json otherwise]
    #[arg(short = 'o', long, value_parser = output_format(), value_name = "FORMAT")]
    pub output: Option<OutputFormat>,
}

#[derive(Debug, Args)]
pub(crate) struct WatchArgs {
    /// The DLQ topics
    #[arg(required = true)]
    pub topics: Vec<String>,
    /// How often to refresh (e.g. 5s, 1m)
    #[arg(long, value_name = "DURATION", default_value = "5s")]
    pub interval: String,
    /// Serve /metrics and /healthz over HTTP at ADDR: PORT (on 127.0.0.1) or HOST:PORT
    #[arg(long, value_name = "ADDR")]
    pub serve: Option<String>,
    /// Failures shown per DLQ
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub top: usize,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub conventions: ConventionArgs,
    /// table: the live view (a terminal only); json or jsonl: one JSON line per refresh
    /// [default: table on a terminal, json lines otherwise]
    #[arg(short = 'o', long, value_parser = output_format(), value_name = "FORMAT")]
    pub output: Option<OutputFormat>,
}

#[derive(Debug, Args)]
pub(crate) struct GroupsArgs {
    /// The DLQ topic
    pub topic: String,
    /// Include entries already handled (replayed or purged) that the broker still retains
    #[arg(long)]
    pub include_handled: bool,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub conventions: ConventionArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub decode: DecodeArgs,
}

#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    /// The DLQ topic
    pub topic: String,
    /// Include entries already handled (replayed or purged) that the broker still retains
    #[arg(long)]
    pub include_handled: bool,
    /// Deprecated spelling of --include-handled (on replay and purge, --all accepts an
    /// unfiltered selection)
    #[arg(long = "all", hide = true)]
    pub all_deprecated: bool,
    /// The chart of arrivals: entries per DURATION (e.g. 5m, 1h, 1d) [default: chosen from the
    /// time range, about 48 bars]
    #[arg(long, value_name = "DURATION")]
    pub bucket: Option<String>,
    /// Also a chart of arrivals for each of the N most frequent failures (fingerprints), on the
    /// same time axis; `arrivals_by_failure` in JSON
    #[arg(long, value_name = "N")]
    pub chart_failures: Option<usize>,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub conventions: ConventionArgs,
    /// Output format [default: table on a terminal, json otherwise]; `openmetrics` and
    /// `prometheus` write the counts as metrics for a scraper or a textfile collector
    #[arg(short = 'o', long, value_parser = stats_format(), value_name = "FORMAT")]
    pub output: Option<StatsFormat>,
}

/// `stats -o`: the formats of every command, or metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatsFormat {
    Output(OutputFormat),
    /// The OpenMetrics text format (`# EOF` at the end).
    OpenMetrics,
    /// Prometheus' text exposition format (0.0.4).
    Prometheus,
}

fn stats_format() -> impl clap::builder::TypedValueParser<Value = StatsFormat> {
    use clap::builder::TypedValueParser as _;
    let mut names: Vec<&'static str> = OutputFormat::NAMES.to_vec();
    names.extend(["openmetrics", "prometheus"]);
    clap::builder::PossibleValuesParser::new(names).map(|name| match name.as_str() {
        "openmetrics" => StatsFormat::OpenMetrics,
        "prometheus" => StatsFormat::Prometheus,
        other => StatsFormat::Output(
            OutputFormat::from_name(other).expect("a name PossibleValuesParser accepted"),
        ),
    })
}

#[derive(Debug, Args)]
pub(crate) struct TopicsArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Also count topics whose name matches this glob (`*` matches anything; repeatable)
    #[arg(long = "pattern", value_name = "GLOB")]
    pub patterns: Vec<String>,
    /// Pulsar: the namespace to list [default: public/default]
    #[arg(long, value_name = "TENANT/NAMESPACE")]
    pub namespace: Option<String>,
    /// Output format [default: table on a terminal, json otherwise]
    #[arg(short = 'o', long, value_parser = output_format(), value_name = "FORMAT")]
    pub output: Option<OutputFormat>,
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
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
    #[command(flatten)]
    pub decode: DecodeArgs,
}

/// The flags of the command line `argv` (without the program name) that say where the broker is
/// and how to reach it, as the user gave them: the global ones (`--context`) and the
/// "Connection and authentication" ones but `--group`/`--subscription` (which name a consumer,
/// not the connection). For a command dlq suggests running next.
pub(crate) fn connection_words(argv: &[String]) -> Vec<String> {
    use clap::CommandFactory as _;
    let cli = Cli::command();
    let Some(at) = argv
        .iter()
        .position(|w| cli.find_subcommand(w.as_str()).is_some())
    else {
        return Vec::new();
    };
    let sub = cli.find_subcommand(argv[at].as_str()).expect("found above");
    let carried: Vec<&clap::Arg> = sub
        .get_arguments()
        .filter(|a| {
            a.get_help_heading() == Some("Connection and authentication")
                && !matches!(a.get_id().as_str(), "group" | "subscription")
        })
        .chain(cli.get_arguments().filter(|a| a.get_id() == "context"))
        .collect();
    let mut out = Vec::new();
    let mut words = argv
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != at)
        .map(|(_, w)| w);
    while let Some(w) = words.next() {
        let Some(arg) = carried.iter().find(|a| {
            a.get_long().is_some_and(|l| {
                w.strip_prefix("--")
                    .is_some_and(|rest| rest == l || rest.starts_with(&format!("{l}=")))
            }) || a.get_short().is_some_and(|s| {
                w.strip_prefix('-')
                    .is_some_and(|rest| !rest.starts_with('-') && rest.starts_with(s))
            })
        }) else {
            continue;
        };
        out.push(w.clone());
        let inline =
            w.contains('=') && w.starts_with("--") || (w.len() > 2 && !w.starts_with("--"));
        if arg.get_action().takes_values() && !inline {
            if let Some(value) = words.next() {
                out.push(value.clone());
            }
        }
    }
    out
}
