//! Describing a consumer group of either protocol: librdkafka's admin `DescribeConsumerGroups`.
//!
//! Kafka 4 has two kinds of consumer group. DescribeGroups, the only group call rdkafka 0.39
//! wraps (`fetch_group_list`), describes *classic* groups; a KIP-848 group
//! (`group.protocol=consumer`) is answered as "not a classic group" with no members, so a rewind
//! checked that way could be committed under a running consumer. librdkafka's admin
//! `DescribeConsumerGroups` sends ConsumerGroupDescribe for those and DescribeGroups for classic
//! ones, but rdkafka 0.39 (the newest release) does not wrap it: this module calls it through
//! rdkafka-sys, the bindings rdkafka itself is built on (as is `member_id`, which rdkafka does
//! not wrap either, for `replay --join`'s report). It is the project's only unsafe code,
//! kept to calls whose ownership librdkafka documents (rdkafka.h): the options, queue and event
//! are destroyed by us, everything read from the result belongs to the event and is copied out
//! before the event is destroyed.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString};
use std::time::Duration;

use rdkafka::client::{Client, ClientContext};
use rdkafka_sys as sys;

/// The member id the group coordinator gave this client's consumer (empty before it joined).
pub(super) fn member_id<C: ClientContext>(client: &Client<C>) -> String {
    // SAFETY: rd_kafka_memberid returns a NUL-terminated copy (or null), which the caller frees
    // with rd_kafka_mem_free.
    unsafe {
        let ptr = sys::rd_kafka_memberid(client.native_ptr());
        if ptr.is_null() {
            return String::new();
        }
        let id = CStr::from_ptr(ptr).to_string_lossy().into_owned();
        sys::rd_kafka_mem_free(client.native_ptr(), ptr.cast());
        id
    }
}

/// What the broker says of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GroupDescription {
    /// "Stable", "Empty", "Dead", "PreparingRebalance", … (librdkafka's names).
    pub state: String,
    /// "Classic" or "Consumer" (KIP-848); "Unknown" where the broker does not say.
    pub kind: String,
    pub members: usize,
}

/// Why a group could not be described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DescribeFailure {
    /// No answer, or the connection failed: the broker went away, which says nothing of what it
    /// supports.
    NoAnswer(String),
    /// The broker answered, with an error or with something else than a description.
    Refused(String),
}

impl std::fmt::Display for DescribeFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DescribeFailure::NoAnswer(w) | DescribeFailure::Refused(w) => f.write_str(w),
        }
    }
}

/// librdkafka's codes for "no answer": a timeout, a broken connection, no broker up.
fn is_no_answer(code: sys::rd_kafka_resp_err_t) -> bool {
    use sys::rd_kafka_resp_err_t::*;
    matches!(
        code,
        RD_KAFKA_RESP_ERR__TIMED_OUT
            | RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE
            | RD_KAFKA_RESP_ERR__TRANSPORT
            | RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN
            | RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT
            | RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION
    )
}

/// Describes `group`; `Ok(None)` when the broker knows no such group.
pub(crate) fn describe<C: ClientContext>(
    client: &Client<C>,
    group: &str,
    timeout: Duration,
) -> Result<Option<GroupDescription>, DescribeFailure> {
    let name = CString::new(group)
        .map_err(|_| DescribeFailure::Refused("a group name with a NUL byte".to_string()))?;
    admin_request(
        client,
        sys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS,
        timeout,
        // SAFETY: `name` outlives the call; librdkafka copies the names it is given.
        |rk, opts, queue| unsafe {
            let mut names = [name.as_ptr()];
            sys::rd_kafka_DescribeConsumerGroups(rk, names.as_mut_ptr(), 1, opts, queue);
        },
        // SAFETY: `admin_request` hands over a live event or null.
        |event| unsafe { read_event(event) },
    )
}

/// One admin request of kind `op` on `client`: `send` queues it on the options and queue made
/// here, `read` reads the answer (or null: no answer in time); everything made here is destroyed
/// here, on every path, after `read` copied what it needs.
fn admin_request<C: ClientContext, T>(
    client: &Client<C>,
    op: sys::rd_kafka_admin_op_t,
    timeout: Duration,
    send: impl FnOnce(
        *mut sys::rd_kafka_t,
        *mut sys::rd_kafka_AdminOptions_t,
        *mut sys::rd_kafka_queue_t,
    ),
    read: impl FnOnce(*mut sys::rd_kafka_event_t) -> T,
) -> T {
    let ms = timeout.as_millis().clamp(1, i32::MAX as u128) as i32;
    // SAFETY: `client.native_ptr()` is a live rd_kafka_t for the whole call (we hold `client`).
    // The queue, the options and the event are destroyed exactly once below; what `read` takes
    // from the event it copies before `rd_kafka_event_destroy` frees it.
    unsafe {
        let rk = client.native_ptr();
        let queue = sys::rd_kafka_queue_new(rk);
        let opts = sys::rd_kafka_AdminOptions_new(rk, op);
        let mut errstr = [0 as std::os::raw::c_char; 256];
        sys::rd_kafka_AdminOptions_set_request_timeout(opts, ms, errstr.as_mut_ptr(), errstr.len());
        send(rk, opts, queue);
        // The request's own timeout ends it; the poll waits a little longer for that answer.
        let event = sys::rd_kafka_queue_poll(queue, ms.saturating_add(1000));
        let answer = read(event);
        if !event.is_null() {
            sys::rd_kafka_event_destroy(event);
        }
        sys::rd_kafka_AdminOptions_destroy(opts);
        sys::rd_kafka_queue_destroy(queue);
        answer
    }
}

/// The names of the settings set on `group` itself (DescribeConfigs of the GROUP resource,
/// entries whose source is the group's dynamic configuration). rdkafka 0.39 wraps
/// DescribeConfigs but refuses an answer holding that source (librdkafka's
/// `RD_KAFKA_CONFIG_SOURCE_GROUP_CONFIG`, Kafka 3.9+), hence this call.
pub(crate) fn group_settings<C: ClientContext>(
    client: &Client<C>,
    group: &str,
    timeout: Duration,
) -> Result<Vec<String>, DescribeFailure> {
    let name = CString::new(group)
        .map_err(|_| DescribeFailure::Refused("a group name with a NUL byte".to_string()))?;
    admin_request(
        client,
        sys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS,
        timeout,
        // SAFETY: librdkafka copies the resource it is given (rdkafka.h: the application keeps
        // ownership of the input array); ours is destroyed once the request is queued.
        |rk, opts, queue| unsafe {
            let resource = sys::rd_kafka_ConfigResource_new(
                sys::rd_kafka_ResourceType_t::RD_KAFKA_RESOURCE_GROUP,
                name.as_ptr(),
            );
            let mut resources = [resource];
            sys::rd_kafka_DescribeConfigs(rk, resources.as_mut_ptr(), 1, opts, queue);
            sys::rd_kafka_ConfigResource_destroy(resource);
        },
        // SAFETY: `admin_request` hands over a live event or null.
        |event| unsafe { read_settings(event) },
    )
}

/// The topic id of each named topic (DescribeTopics), as Kafka writes an id: URL-safe base64
/// without padding. rdkafka 0.39 does not wrap DescribeTopics; a topic the broker could not
/// describe is left out.
pub(crate) fn topic_ids<C: ClientContext>(
    client: &Client<C>,
    topics: &[String],
    timeout: Duration,
) -> Result<Vec<(String, String)>, DescribeFailure> {
    let names: Vec<CString> = topics
        .iter()
        .filter_map(|t| CString::new(t.as_str()).ok())
        .collect();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    admin_request(
        client,
        sys::rd_kafka_admin_op_t::RD_KAFKA_ADMIN_OP_DESCRIBETOPICS,
        timeout,
        // SAFETY: the names outlive the call; the collection copies them (rdkafka.h) and is
        // destroyed once the request is queued with its own copy.
        |rk, opts, queue| unsafe {
            let mut ptrs: Vec<*const std::os::raw::c_char> =
                names.iter().map(|n| n.as_ptr()).collect();
            let collection =
                sys::rd_kafka_TopicCollection_of_topic_names(ptrs.as_mut_ptr(), ptrs.len());
            sys::rd_kafka_DescribeTopics(rk, collection, opts, queue);
            sys::rd_kafka_TopicCollection_destroy(collection);
        },
        // SAFETY: `admin_request` hands over a live event or null.
        |event| unsafe { read_topic_ids(event) },
    )
}

/// The answer came and says no error: else `NoAnswer` (none in time, or a broken connection) or
/// `Refused`, with the broker's words.
///
/// # Safety
/// `event` is null or a live event from `rd_kafka_queue_poll`, not yet destroyed.
unsafe fn answered(event: *mut sys::rd_kafka_event_t, what: &str) -> Result<(), DescribeFailure> {
    use DescribeFailure::{NoAnswer, Refused};
    if event.is_null() {
        return Err(NoAnswer(format!("no answer to {what} in time")));
    }
    let code = sys::rd_kafka_event_error(event);
    if code != sys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
        let words = text(sys::rd_kafka_event_error_string(event));
        return Err(if is_no_answer(code) {
            NoAnswer(words)
        } else {
            Refused(words)
        });
    }
    Ok(())
}

/// # Safety
/// `event` is null or a live event from `rd_kafka_queue_poll`, not yet destroyed.
unsafe fn read_topic_ids(
    event: *mut sys::rd_kafka_event_t,
) -> Result<Vec<(String, String)>, DescribeFailure> {
    use DescribeFailure::Refused;
    answered(event, "DescribeTopics")?;
    let result = sys::rd_kafka_event_DescribeTopics_result(event);
    if result.is_null() {
        return Err(Refused(
            "DescribeTopics answered with another kind of event".into(),
        ));
    }
    let mut n = 0usize;
    let topics = sys::rd_kafka_DescribeTopics_result_topics(result, &mut n);
    let mut out = Vec::new();
    for i in 0..n {
        let t = *topics.add(i);
        if !sys::rd_kafka_TopicDescription_error(t).is_null() {
            continue;
        }
        let id = sys::rd_kafka_TopicDescription_topic_id(t);
        if id.is_null() {
            continue;
        }
        out.push((
            text(sys::rd_kafka_Uuid_base64str(id)),
            text(sys::rd_kafka_TopicDescription_name(t)),
        ));
    }
    Ok(out)
}

/// # Safety
/// `event` is null or a live event from `rd_kafka_queue_poll`, not yet destroyed.
unsafe fn read_settings(event: *mut sys::rd_kafka_event_t) -> Result<Vec<String>, DescribeFailure> {
    use DescribeFailure::Refused;
    answered(event, "DescribeConfigs")?;
    let result = sys::rd_kafka_event_DescribeConfigs_result(event);
    if result.is_null() {
        return Err(Refused(
            "DescribeConfigs answered with another kind of event".into(),
        ));
    }
    let mut n = 0usize;
    let resources = sys::rd_kafka_DescribeConfigs_result_resources(result, &mut n);
    if resources.is_null() || n == 0 {
        return Err(Refused("DescribeConfigs answered with no resource".into()));
    }
    let resource = *resources;
    let code = sys::rd_kafka_ConfigResource_error(resource);
    if code != sys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
        return Err(Refused(text(sys::rd_kafka_ConfigResource_error_string(
            resource,
        ))));
    }
    let mut count = 0usize;
    let entries = sys::rd_kafka_ConfigResource_configs(resource, &mut count);
    let mut set = Vec::new();
    for i in 0..count {
        let entry = *entries.add(i);
        if sys::rd_kafka_ConfigEntry_source(entry)
            == sys::rd_kafka_ConfigSource_t::RD_KAFKA_CONFIG_SOURCE_GROUP_CONFIG
        {
            set.push(text(sys::rd_kafka_ConfigEntry_name(entry)));
        }
    }
    Ok(set)
}

/// # Safety
/// `event` is null or a live event from `rd_kafka_queue_poll`, not yet destroyed.
unsafe fn read_event(
    event: *mut sys::rd_kafka_event_t,
) -> Result<Option<GroupDescription>, DescribeFailure> {
    use DescribeFailure::{NoAnswer, Refused};
    answered(event, "DescribeConsumerGroups")?;
    let result = sys::rd_kafka_event_DescribeConsumerGroups_result(event);
    if result.is_null() {
        return Err(Refused(
            "DescribeConsumerGroups answered with another kind of event".into(),
        ));
    }
    let mut n = 0usize;
    let groups = sys::rd_kafka_DescribeConsumerGroups_result_groups(result, &mut n);
    if groups.is_null() || n == 0 {
        return Err(Refused(
            "DescribeConsumerGroups answered with no group".into(),
        ));
    }
    let g = *groups;
    let err = sys::rd_kafka_ConsumerGroupDescription_error(g);
    if !err.is_null() {
        let code = sys::rd_kafka_error_code(err);
        if code == sys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND {
            return Ok(None);
        }
        let words = text(sys::rd_kafka_error_string(err));
        return Err(if is_no_answer(code) {
            NoAnswer(words)
        } else {
            Refused(words)
        });
    }
    let state = text(sys::rd_kafka_consumer_group_state_name(
        sys::rd_kafka_ConsumerGroupDescription_state(g),
    ));
    let kind = text(sys::rd_kafka_consumer_group_type_name(
        sys::rd_kafka_ConsumerGroupDescription_type(g),
    ));
    let members = sys::rd_kafka_ConsumerGroupDescription_member_count(g);
    Ok(Some(GroupDescription {
        state,
        kind,
        members,
    }))
}

/// # Safety
/// `p` is null or a NUL-terminated string that lives for this call.
unsafe fn text(p: *const std::os::raw::c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}
