//! `replay --join`: which run of a joined replay a member takes part in. Each partition's
//! bookkeeping (Kafka: the group's commit metadata; Pulsar: the subscription's properties) says
//! the run it last belonged to and whether that run is done with it.

/// The run to take part in, from every partition's (run, done): the newest run still going, or
/// a new one when the newest is done everywhere (or there is none).
pub(crate) fn run_to_join(marks: &[Option<(u64, bool)>]) -> u64 {
    let newest = marks.iter().flatten().map(|m| m.0).max().unwrap_or(0);
    let all_done = marks
        .iter()
        .all(|m| m.is_some_and(|(run, done)| run == newest && done));
    if newest == 0 || all_done {
        newest + 1
    } else {
        newest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_goes_on_until_every_partition_is_done_then_the_next_begins() {
        assert_eq!(run_to_join(&[None, None]), 1, "the first run");
        assert_eq!(
            run_to_join(&[Some((1, true)), None]),
            1,
            "a partition not started"
        );
        assert_eq!(
            run_to_join(&[Some((1, true)), Some((1, false))]),
            1,
            "one still going"
        );
        assert_eq!(
            run_to_join(&[Some((1, true)), Some((1, true))]),
            2,
            "all done: the next run"
        );
        assert_eq!(
            run_to_join(&[Some((2, false)), Some((1, true))]),
            2,
            "the newest run, where it has begun"
        );
    }
}
