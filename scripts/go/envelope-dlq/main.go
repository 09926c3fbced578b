// Command envelope-dlq writes dead letters the way a small Go service on
// github.com/segmentio/kafka-go (v0.4.51) does: a consumer-group service that processes "order"
// events and, when one fails, writes a JSON envelope (`original_event` and the failure) to its
// dead-letter topic. It is the seeds' own stack's producer, for dlq's tests and the quickstart.
//
//	envelope-dlq --bootstrap HOST:PORT --origin TOPIC --dlq TOPIC --group G
//	             --parse N --invalid N --panic N --good N [--partitions P] [--timeout SECONDS]
//
// Creates ORIGIN and DLQ with P partitions each (default 1) if they do not exist and produces
// the origin records itself, interleaved, the i-th of each kind to partition i % P, keys
// order-<kind>-<i>:
//
//	parse    an XML order (not JSON): json.Unmarshal fails, error_class *json.SyntaxError
//	invalid  a JSON order with a negative amount: validation fails, retried once, then
//	         dead-lettered with error_class *main.ValidationError and retry_count 1
//	panic    a JSON order without items: the handler indexes items[0] and panics; the panic is
//	         recovered, error_class runtime.boundsError (the panic value's type)
//	good     a JSON order the service processes and commits
//
// Then it runs the service (a kafka-go Reader in consumer group G, a Writer with RequiredAcks
// all; the dead letter's key is the original's) until the DLQ holds a dead letter for every
// failing record (read back from the broker, matched by original partition and offset) and the
// group has committed every record, at most --timeout seconds (default 90). Each dead letter's
// value is one JSON object:
//
//	{"original_event", "error", "error_class", "stack_trace", "consumer_group",
//	 "original_topic", "partition", "offset", "failed_at", "retry_count"}
//
// original_event is the original value as JSON when it parses, else as a string; stack_trace is
// the goroutine's stack (runtime/debug.Stack) where the error was raised or the panic recovered,
// a panic's after a "panic: VALUE" line as the runtime prints it; failed_at is RFC 3339 UTC with
// milliseconds. It prints one JSON object on stdout:
//
//	{"producer", "origin", "dlq", "group",
//	 "records": [{"partition", "offset", "key", "value", "kind", "dlq_partition", "dlq_offset",
//	              "error_class", "error", "retry_count"}],   the failing originals, in order
//	 "good": [{"partition", "offset", "key", "value"}]}
//
// Logs go to stderr. Exit status: 0 done, 1 failed (or timed out), 2 usage.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"
)

const producer = "go service (segmentio/kafka-go v0.4.51)"

var logger = log.New(os.Stderr, "envelope-dlq: ", log.Ltime|log.Lmicroseconds)

// ---------------------------------------------------------------------------------------------
// The service: what a Go team would write.

// Order is the event the service consumes.
type Order struct {
	ID       int64   `json:"id"`
	Customer string  `json:"customer"`
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
	Items    []Item  `json:"items"`
}

// Item is one line of an order.
type Item struct {
	SKU       string `json:"sku"`
	Quantity  int    `json:"quantity"`
	Warehouse string `json:"warehouse"`
}

// ValidationError is an order that parsed but breaks a business rule.
type ValidationError struct {
	OrderID int64
	Field   string
	Reason  string
}

func (e *ValidationError) Error() string { return fmt.Sprintf("order %d: %s", e.OrderID, e.Reason) }

// tracedError keeps the stack of the goroutine where an error was raised, as Go services'
// error helpers do, so that every dead letter says where it failed.
type tracedError struct {
	err   error
	stack []byte
}

func (e *tracedError) Error() string { return e.err.Error() }
func (e *tracedError) Unwrap() error { return e.err }

func traced(err error) error { return &tracedError{err: err, stack: debug.Stack()} }

// panicError is a panic of the handler, recovered.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

func handleOrder(value []byte) error {
	var o Order
	if err := json.Unmarshal(value, &o); err != nil {
		return traced(fmt.Errorf("decode order: %w", err))
	}
	if err := validate(&o); err != nil {
		return err
	}
	// The bug the panics come from: validation lets an order without items through.
	reserve(o.ID, warehouseOf(&o))
	return nil
}

func validate(o *Order) error {
	switch {
	case o.Amount <= 0:
		return traced(&ValidationError{OrderID: o.ID, Field: "amount",
			Reason: fmt.Sprintf("amount %.2f must be positive", o.Amount)})
	case o.Currency == "":
		return traced(&ValidationError{OrderID: o.ID, Field: "currency", Reason: "currency is missing"})
	}
	return nil
}

func warehouseOf(o *Order) string { return o.Items[0].Warehouse }

func reserve(id int64, warehouse string) {
	logger.Printf("order %d: reserved at %s", id, warehouse)
}

// process runs the handler, turning a panic into an error that keeps the panic's stack.
func process(value []byte) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{value: v, stack: debug.Stack()}
		}
	}()
	return handleOrder(value)
}

// retryable: a rule may fail on stale reference data, so a validation failure gets one more try;
// a value that does not parse, or a panic, would fail the same way again.
func retryable(err error) bool {
	var v *ValidationError
	return errors.As(err, &v)
}

const maxRetries = 1

// errorClass is the Go type of the error (the innermost one when wrapped), or of the value a
// panic was given.
func errorClass(err error) string {
	var p *panicError
	if errors.As(err, &p) {
		return fmt.Sprintf("%T", p.value)
	}
	for next := errors.Unwrap(err); next != nil; next = errors.Unwrap(err) {
		err = next
	}
	return fmt.Sprintf("%T", err)
}

func stackOf(err error) string {
	var p *panicError
	if errors.As(err, &p) {
		// As the runtime prints a panic nobody recovers.
		return fmt.Sprintf("panic: %v\n\n%s", p.value, p.stack)
	}
	var t *tracedError
	if errors.As(err, &t) {
		return string(t.stack)
	}
	return ""
}

// Envelope is the dead letter's value.
type Envelope struct {
	OriginalEvent json.RawMessage `json:"original_event"`
	Error         string          `json:"error"`
	ErrorClass    string          `json:"error_class"`
	StackTrace    string          `json:"stack_trace"`
	ConsumerGroup string          `json:"consumer_group"`
	OriginalTopic string          `json:"original_topic"`
	Partition     int             `json:"partition"`
	Offset        int64           `json:"offset"`
	FailedAt      string          `json:"failed_at"`
	RetryCount    int             `json:"retry_count"`
}

func originalEvent(value []byte) json.RawMessage {
	if json.Valid(value) {
		return json.RawMessage(value)
	}
	text, _ := json.Marshal(string(value))
	return text
}

type service struct {
	reader *kafka.Reader
	writer *kafka.Writer
	group  string
	// done is told of each record once its offset is committed.
	done func(partition int, offset int64)
}

// run consumes until ctx ends: each record is processed (a validation failure retried once),
// a failure dead-lettered, and the record committed only then (at least once).
func (s *service) run(ctx context.Context) error {
	for {
		m, err := s.reader.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("fetching from %s: %w", s.reader.Config().Topic, err)
		}
		retries := 0
		for {
			err = process(m.Value)
			if err == nil || !retryable(err) || retries >= maxRetries {
				break
			}
			retries++
			logger.Printf("%s/%d@%d: %v; retry %d of %d", m.Topic, m.Partition, m.Offset, err, retries, maxRetries)
		}
		if err != nil {
			if err := s.deadLetter(ctx, m, err, retries); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
		}
		if err := s.reader.CommitMessages(ctx, m); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			// At least once: after a rebalance the group hands the record out again, and it is
			// processed (and perhaps dead-lettered) again.
			logger.Printf("committing %s/%d@%d: %v; it will come again", m.Topic, m.Partition, m.Offset, err)
			continue
		}
		s.done(m.Partition, m.Offset)
	}
}

func (s *service) deadLetter(ctx context.Context, m kafka.Message, failure error, retries int) error {
	env := Envelope{
		OriginalEvent: originalEvent(m.Value),
		Error:         failure.Error(),
		ErrorClass:    errorClass(failure),
		StackTrace:    stackOf(failure),
		ConsumerGroup: s.group,
		OriginalTopic: m.Topic,
		Partition:     m.Partition,
		Offset:        m.Offset,
		FailedAt:      time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		RetryCount:    retries,
	}
	value, err := json.Marshal(env)
	if err != nil {
		return fmt.Errorf("encoding the dead letter of %s/%d@%d: %w", m.Topic, m.Partition, m.Offset, err)
	}
	if err := s.writer.WriteMessages(ctx, kafka.Message{Key: m.Key, Value: value}); err != nil {
		return fmt.Errorf("writing the dead letter of %s/%d@%d to %s: %w", m.Topic, m.Partition, m.Offset, s.writer.Topic, err)
	}
	logger.Printf("%s/%d@%d: %s: %s; dead-lettered to %s", m.Topic, m.Partition, m.Offset, env.ErrorClass, env.Error, s.writer.Topic)
	return nil
}

// ---------------------------------------------------------------------------------------------
// The seeder: topics, origin records, the service, and the report.

type options struct {
	bootstrap, origin, dlq, group       string
	parse, invalid, panics, good, parts int
	timeout                             time.Duration
}

const usage = `usage: envelope-dlq --bootstrap HOST:PORT --origin TOPIC --dlq TOPIC --group G
                    --parse N --invalid N --panic N --good N [--partitions P] [--timeout SECONDS]
`

func parseArgs(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("envelope-dlq", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.bootstrap, "bootstrap", "", "")
	fs.StringVar(&o.origin, "origin", "", "")
	fs.StringVar(&o.dlq, "dlq", "", "")
	fs.StringVar(&o.group, "group", "", "")
	fs.IntVar(&o.parse, "parse", 0, "")
	fs.IntVar(&o.invalid, "invalid", 0, "")
	fs.IntVar(&o.panics, "panic", 0, "")
	fs.IntVar(&o.good, "good", 0, "")
	fs.IntVar(&o.parts, "partitions", 1, "")
	seconds := fs.Int("timeout", 90, "")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.bootstrap == "" || o.origin == "" || o.dlq == "" || o.group == "":
		return o, errors.New("--bootstrap, --origin, --dlq and --group are required")
	case o.origin == o.dlq:
		return o, errors.New("--dlq must differ from --origin")
	case o.parse < 0 || o.invalid < 0 || o.panics < 0 || o.good < 0:
		return o, errors.New("counts are whole numbers")
	case o.parse+o.invalid+o.panics+o.good == 0:
		return o, errors.New("nothing to produce: give --parse, --invalid, --panic or --good")
	case o.parts < 1:
		return o, errors.New("--partitions must be at least 1")
	case *seconds < 1:
		return o, errors.New("--timeout must be at least 1 second")
	}
	o.timeout = time.Duration(*seconds) * time.Second
	return o, nil
}

// origin is one record the seeder produced.
type origin struct {
	kind      string
	partition int
	offset    int64
	key       string
	value     string
}

type place struct {
	partition int
	offset    int64
}

type failed struct {
	Partition    int    `json:"partition"`
	Offset       int64  `json:"offset"`
	Key          string `json:"key"`
	Value        string `json:"value"`
	Kind         string `json:"kind"`
	DLQPartition int    `json:"dlq_partition"`
	DLQOffset    int64  `json:"dlq_offset"`
	ErrorClass   string `json:"error_class"`
	Error        string `json:"error"`
	RetryCount   int    `json:"retry_count"`
}

type good struct {
	Partition int    `json:"partition"`
	Offset    int64  `json:"offset"`
	Key       string `json:"key"`
	Value     string `json:"value"`
}

type report struct {
	Producer string   `json:"producer"`
	Origin   string   `json:"origin"`
	DLQ      string   `json:"dlq"`
	Group    string   `json:"group"`
	Records  []failed `json:"records"`
	Good     []good   `json:"good"`
}

func main() {
	o, err := parseArgs(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "envelope-dlq: %v\n%s", err, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	r, err := seed(ctx, o)
	if err != nil {
		logger.Printf("error: %v", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		logger.Printf("error: writing the report: %v", err)
		os.Exit(1)
	}
}

// waitErr says what a wait was for when ctx ended.
func waitErr(ctx context.Context, o options, what string) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timed out after %s (--timeout) %s", o.timeout, what)
	}
	return fmt.Errorf("interrupted %s", what)
}

func seed(ctx context.Context, o options) (*report, error) {
	client := &kafka.Client{Addr: kafka.TCP(o.bootstrap), Timeout: 10 * time.Second}
	parts, err := ensureTopics(ctx, client, o)
	if err != nil {
		return nil, err
	}
	// Where the DLQ ends now: what it held before is not ours.
	dlqStart, err := endOffsets(ctx, client, o, o.dlq, parts[o.dlq])
	if err != nil {
		return nil, err
	}
	records, err := produce(ctx, client, o, parts[o.origin])
	if err != nil {
		return nil, err
	}

	// The service, in its consumer group.
	var mu sync.Mutex
	committed := map[place]bool{}
	progress := make(chan struct{}, 1)
	notify := func() {
		select {
		case progress <- struct{}{}:
		default:
		}
	}
	reader := kafka.NewReader(kafka.ReaderConfig{
		Brokers:        []string{o.bootstrap},
		GroupID:        o.group,
		Topic:          o.origin,
		StartOffset:    kafka.FirstOffset,
		MaxWait:        500 * time.Millisecond,
		CommitInterval: 0, // synchronous commits
		ErrorLogger:    kafka.LoggerFunc(func(f string, a ...any) { logger.Printf("kafka-go reader: "+f, a...) }),
	})
	writer := &kafka.Writer{
		Addr:         kafka.TCP(o.bootstrap),
		Topic:        o.dlq,
		Balancer:     &kafka.Hash{},
		RequiredAcks: kafka.RequireAll,
		BatchTimeout: 10 * time.Millisecond,
		ErrorLogger:  kafka.LoggerFunc(func(f string, a ...any) { logger.Printf("kafka-go writer: "+f, a...) }),
	}
	svc := &service{reader: reader, writer: writer, group: o.group, done: func(p int, off int64) {
		mu.Lock()
		committed[place{p, off}] = true
		mu.Unlock()
		notify()
	}}
	svcCtx, stopService := context.WithCancel(ctx)
	svcErr := make(chan error, 1)
	logger.Printf("service: consumer group %s on %s (joining can take a few seconds), dead letters to %s", o.group, o.origin, o.dlq)
	go func() { svcErr <- svc.run(svcCtx) }()
	stopped := false
	shutdown := func() {
		if stopped {
			return
		}
		stopped = true
		stopService()
		<-svcErr
		if err := reader.Close(); err != nil {
			logger.Printf("closing the reader: %v", err)
		}
		if err := writer.Close(); err != nil {
			logger.Printf("closing the writer: %v", err)
		}
	}
	defer shutdown()

	// The DLQ, read back from the broker: one reader per partition, no group.
	watchCtx, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	seen := make(chan seenLetter, 64)
	var watchers sync.WaitGroup
	for p := 0; p < parts[o.dlq]; p++ {
		watchers.Add(1)
		go func(p int) {
			defer watchers.Done()
			watch(watchCtx, o, p, dlqStart[p], seen)
		}(p)
	}
	defer watchers.Wait()

	failing := map[place]int{} // original place -> index in records
	for i, r := range records {
		if r.kind != "good" {
			failing[place{r.partition, r.offset}] = i
		}
	}
	letters := map[int]seenLetter{}
	allCommitted := func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range records {
			if !committed[place{r.partition, r.offset}] {
				return false
			}
		}
		return true
	}
	for len(letters) < len(failing) || !allCommitted() {
		select {
		case l := <-seen:
			if l.env.OriginalTopic != o.origin {
				continue
			}
			if i, ok := failing[place{l.env.Partition, l.env.Offset}]; ok {
				if _, dup := letters[i]; !dup {
					letters[i] = l
				}
			}
		case <-progress:
		case err := <-svcErr:
			stopped = true
			if err == nil {
				err = errors.New("the service stopped")
			}
			return nil, err
		case <-ctx.Done():
			mu.Lock()
			n := len(committed)
			mu.Unlock()
			return nil, waitErr(ctx, o, fmt.Sprintf("waiting for the service: %d of %d dead letters on %s, %d of %d records committed by group %s",
				len(letters), len(failing), o.dlq, n, len(records), o.group))
		}
	}
	shutdown()
	stopWatching()
	logger.Printf("done: %d dead letters on %s, %d records committed", len(letters), o.dlq, len(records))

	rep := &report{Producer: producer, Origin: o.origin, DLQ: o.dlq, Group: o.group, Records: []failed{}, Good: []good{}}
	for i, r := range records {
		if r.kind == "good" {
			rep.Good = append(rep.Good, good{r.partition, r.offset, r.key, r.value})
			continue
		}
		l := letters[i]
		rep.Records = append(rep.Records, failed{
			Partition: r.partition, Offset: r.offset, Key: r.key, Value: r.value, Kind: r.kind,
			DLQPartition: l.partition, DLQOffset: l.offset,
			ErrorClass: l.env.ErrorClass, Error: l.env.Error, RetryCount: l.env.RetryCount,
		})
	}
	return rep, nil
}

type seenLetter struct {
	partition int
	offset    int64
	env       Envelope
}

func watch(ctx context.Context, o options, partition int, from int64, seen chan<- seenLetter) {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:   []string{o.bootstrap},
		Topic:     o.dlq,
		Partition: partition,
		MaxWait:   500 * time.Millisecond,
	})
	defer r.Close()
	if err := r.SetOffset(from); err != nil {
		logger.Printf("reading %s/%d: %v", o.dlq, partition, err)
		return
	}
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			if ctx.Err() == nil {
				logger.Printf("reading %s/%d: %v", o.dlq, partition, err)
			}
			return
		}
		var env Envelope
		if err := json.Unmarshal(m.Value, &env); err != nil || env.OriginalEvent == nil {
			logger.Printf("%s/%d@%d is not an envelope; skipped", o.dlq, partition, m.Offset)
			continue
		}
		select {
		case seen <- seenLetter{m.Partition, m.Offset, env}:
		case <-ctx.Done():
			return
		}
	}
}

// ensureTopics creates the origin and the DLQ when missing, then waits until the cluster's
// metadata gives every partition of both a leader. It returns each topic's partition count.
func ensureTopics(ctx context.Context, client *kafka.Client, o options) (map[string]int, error) {
	res, err := client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{
		{Topic: o.origin, NumPartitions: o.parts, ReplicationFactor: 1},
		{Topic: o.dlq, NumPartitions: o.parts, ReplicationFactor: 1},
	}})
	if err != nil {
		return nil, fmt.Errorf("creating %s and %s on %s: %w", o.origin, o.dlq, o.bootstrap, err)
	}
	for topic, err := range res.Errors {
		if err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
			return nil, fmt.Errorf("creating %s: %w", topic, err)
		}
	}
	for {
		meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{o.origin, o.dlq}})
		parts := map[string]int{}
		if err == nil {
			for _, t := range meta.Topics {
				if t.Error != nil || len(t.Partitions) == 0 {
					continue
				}
				ready := true
				for _, p := range t.Partitions {
					ready = ready && p.Error == nil && p.Leader.Host != ""
				}
				if ready {
					parts[t.Name] = len(t.Partitions)
				}
			}
			if parts[o.origin] > 0 && parts[o.dlq] > 0 {
				if parts[o.origin] != o.parts {
					logger.Printf("%s already has %d partitions; records go to those", o.origin, parts[o.origin])
				}
				return parts, nil
			}
		}
		select {
		case <-ctx.Done():
			why := "until both have partition leaders"
			if err != nil {
				why += fmt.Sprintf(" (last metadata error: %v)", err)
			}
			return nil, waitErr(ctx, o, fmt.Sprintf("waiting for %s and %s on %s %s", o.origin, o.dlq, o.bootstrap, why))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// endOffsets is where each partition of topic ends now. A topic just created may not have its
// leaders everywhere yet: a temporary broker error is asked again.
func endOffsets(ctx context.Context, client *kafka.Client, o options, topic string, parts int) (map[int]int64, error) {
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for p := 0; p < parts; p++ {
		req.Topics[topic] = append(req.Topics[topic], kafka.LastOffsetOf(p))
	}
	ends := map[int]int64{}
	err := again(ctx, o, "listing the offsets of "+topic, func() error {
		res, err := client.ListOffsets(ctx, req)
		if err != nil {
			return err
		}
		for _, po := range res.Topics[topic] {
			if po.Error != nil {
				return fmt.Errorf("partition %d: %w", po.Partition, po.Error)
			}
			ends[po.Partition] = po.LastOffset
		}
		if len(ends) != parts {
			return fmt.Errorf("%d of %d partitions answered", len(ends), parts)
		}
		return nil
	})
	return ends, err
}

// again runs f until it succeeds, fails for good, or ctx ends; a temporary Kafka error (a
// leader not elected yet, say) is tried again 200 ms later.
func again(ctx context.Context, o options, what string, f func() error) error {
	for {
		err := f()
		var kerr kafka.Error
		if err == nil || !errors.As(err, &kerr) || !kerr.Temporary() {
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return waitErr(ctx, o, fmt.Sprintf("%s (last error: %v)", what, err))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

var kinds = []string{"parse", "invalid", "panic", "good"}

func value(kind string, id int64, i int) string {
	switch kind {
	case "parse": // a producer that sends XML
		return fmt.Sprintf(`<order id="%d"><customer>c-%d</customer><amount>%d.50</amount><currency>EUR</currency></order>`, id, i, 10+i)
	case "invalid":
		return fmt.Sprintf(`{"id":%d,"customer":"c-%d","amount":-%d.00,"currency":"EUR","items":[{"sku":"sku-%d","quantity":1,"warehouse":"ams-1"}]}`, id, i, 5*(i+1), i)
	case "panic":
		return fmt.Sprintf(`{"id":%d,"customer":"c-%d","amount":%d.90,"currency":"EUR","items":[]}`, id, i, 20+i)
	default:
		return fmt.Sprintf(`{"id":%d,"customer":"c-%d","amount":%d.25,"currency":"EUR","items":[{"sku":"sku-%d","quantity":2,"warehouse":"ams-1"}]}`, id, i, 30+i, i)
	}
}

// produce writes the origin records one at a time to their partition (RequiredAcks all), so
// that each one's offset is known.
func produce(ctx context.Context, client *kafka.Client, o options, parts int) ([]origin, error) {
	counts := map[string]int{"parse": o.parse, "invalid": o.invalid, "panic": o.panics, "good": o.good}
	var records []origin
	for i, left := 0, true; left; i++ {
		left = false
		for _, kind := range kinds {
			if i >= counts[kind] {
				continue
			}
			left = true
			id := int64(1001 + len(records))
			r := origin{kind: kind, partition: i % parts, key: fmt.Sprintf("order-%s-%d", kind, i), value: value(kind, id, i)}
			var offset int64
			err := again(ctx, o, fmt.Sprintf("producing %s to %s/%d", r.key, o.origin, r.partition), func() error {
				res, err := client.Produce(ctx, &kafka.ProduceRequest{
					Topic:        o.origin,
					Partition:    r.partition,
					RequiredAcks: kafka.RequireAll,
					Records: kafka.NewRecordReader(kafka.Record{
						Time:  time.Now(),
						Key:   kafka.NewBytes([]byte(r.key)),
						Value: kafka.NewBytes([]byte(r.value)),
					}),
				})
				if err == nil {
					err = res.Error
				}
				if err == nil {
					offset = res.BaseOffset
				}
				return err
			})
			if err != nil {
				return nil, err
			}
			r.offset = offset
			records = append(records, r)
		}
	}
	byKind := map[string]int{}
	for _, r := range records {
		byKind[r.kind]++
	}
	var summary []string
	for _, k := range kinds {
		summary = append(summary, fmt.Sprintf("%d %s", byKind[k], k))
	}
	logger.Printf("produced %s to %s (%d partitions)", strings.Join(summary, ", "), o.origin, parts)
	return records, nil
}
