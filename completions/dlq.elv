
use builtin;
use str;

set edit:completion:arg-completer[dlq] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'dlq'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'dlq'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List dead-letter entries with their context, one row each'
            cand inspect 'Show one entry in full: headers, context, stack trace and payload (redacted by default)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dlq;list'= {
            cand -b 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT'
            cand --broker 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT'
            cand --timeout 'Give up on an unresponsive broker after this long (exit code 4)'
            cand --group 'Kafka: the operator consumer group dlq uses (it never joins or commits while reading)'
            cand --subscription 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges)'
            cand --since 'Only entries written at or after TIME: RFC 3339, a date, epoch ms, or an age such as 90m, 2h, 3d'
            cand --until 'Only entries written before TIME (same forms as --since)'
            cand --partition 'Only these DLQ partitions (repeat or separate with commas)'
            cand --grep 'Only entries whose error class, message or stack trace matches REGEX'
            cand --origin 'Only entries whose origin topic is TOPIC'
            cand --key 'Only entries whose key is exactly KEY'
            cand --limit 'Stop after N matching entries'
            cand --header-map 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at'
            cand -o 'Output format [default: table on a terminal, jsonl otherwise]'
            cand --output 'Output format [default: table on a terminal, jsonl otherwise]'
            cand --reveal 'Show keys, payloads and headers unredacted (prints a warning)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'dlq;inspect'= {
            cand -b 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT'
            cand --broker 'Broker URL: kafka://HOST:PORT[,HOST:PORT] or pulsar://HOST:PORT'
            cand --timeout 'Give up on an unresponsive broker after this long (exit code 4)'
            cand --group 'Kafka: the operator consumer group dlq uses (it never joins or commits while reading)'
            cand --subscription 'Pulsar: the operator subscription dlq reads the DLQ through (created at the earliest position on first use; reading never acknowledges)'
            cand --header-map 'Read a context field from a custom header: FIELD=HEADER (repeatable). FIELD is one of origin_topic, origin_partition, origin_offset, origin_message_id, error_class, error_message, stacktrace, retry_count, consumer_group, failed_at'
            cand -o 'Output format [default: table on a terminal, jsonl otherwise]'
            cand --output 'Output format [default: table on a terminal, jsonl otherwise]'
            cand --reveal 'Show keys, payloads and headers unredacted (prints a warning)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'dlq;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'dlq;help'= {
            cand list 'List dead-letter entries with their context, one row each'
            cand inspect 'Show one entry in full: headers, context, stack trace and payload (redacted by default)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'dlq;help;list'= {
        }
        &'dlq;help;inspect'= {
        }
        &'dlq;help;completions'= {
        }
        &'dlq;help;help'= {
        }
    ]
    $completions[$command]
}
