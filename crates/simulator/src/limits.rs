//! AWS-like throttling (token buckets) and latency (a log-normal draw per answer).

use std::collections::HashMap;
use std::time::Instant;

/// One token bucket: `capacity` tokens, refilled at `refill_per_sec`; a request takes one token or is throttled.
#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    tokens: f64,
    capacity: f64,
    refill_per_sec: f64,
    last: Instant,
}

impl Bucket {
    pub fn new(capacity: f64, refill_per_sec: f64, now: Instant) -> Self {
        Bucket { tokens: capacity, capacity, refill_per_sec, last: now }
    }

    /// Takes a token at `now`; false when the bucket is empty (the request is throttled and takes nothing, as
    /// AWS's buckets do).
    pub fn take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.refill_per_sec).min(self.capacity);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// A bucket's size and refill rate.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rate {
    pub capacity: f64,
    pub refill_per_sec: f64,
}

/// The buckets, keyed by a hash of (account, region, family). EC2 evaluates each API on its own ("each API is
/// evaluated individually", ec2-api-throttling.html), so its family is the action; every other service has one
/// bucket per account, region and service.
#[derive(Debug, Default)]
pub struct Buckets {
    buckets: HashMap<u64, Bucket>,
}

impl Buckets {
    /// Takes a token from the bucket `key`, made with `rate` when first used.
    pub fn take(&mut self, key: u64, rate: Rate, now: Instant) -> bool {
        self.buckets.entry(key).or_insert_with(|| Bucket::new(rate.capacity, rate.refill_per_sec, now)).take(now)
    }
}

/// EC2's documented request-rate buckets (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html):
/// non-mutating actions 100 tokens refilled at 20/s; unfiltered and unpaginated non-mutating (Describe) actions
/// 50 at 10/s; mutating actions 200 at 5/s.
pub fn ec2_rate(action: &str, paginated_or_filtered: bool) -> Rate {
    let non_mutating = ["Describe", "Get", "List", "Search"].iter().any(|p| action.starts_with(p));
    if !non_mutating {
        Rate { capacity: 200.0, refill_per_sec: 5.0 }
    } else if action.starts_with("Describe") && !paginated_or_filtered {
        Rate { capacity: 50.0, refill_per_sec: 10.0 }
    } else {
        Rate { capacity: 100.0, refill_per_sec: 20.0 }
    }
}

/// A log-normal latency with a given median and 99th percentile, in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    mu: f64,
    sigma: f64,
    enabled: bool,
}

/// The 99th percentile of the standard normal distribution.
const Z99: f64 = 2.326_347_874;

impl Latency {
    /// `median_ms` 0 turns latency off; a p99 below the median is taken as the median (no spread).
    pub fn new(median_ms: f64, p99_ms: f64) -> Self {
        if median_ms <= 0.0 {
            return Latency { mu: 0.0, sigma: 0.0, enabled: false };
        }
        let sigma = if p99_ms > median_ms { (p99_ms / median_ms).ln() / Z99 } else { 0.0 };
        Latency { mu: median_ms.ln(), sigma, enabled: true }
    }

    /// One draw in milliseconds (0 when off). Box-Muller over `rng`.
    pub fn draw(&self, rng: &mut fastrand::Rng) -> f64 {
        if !self.enabled {
            return 0.0;
        }
        let u1 = rng.f64().max(f64::MIN_POSITIVE);
        let u2 = rng.f64();
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        (self.mu + self.sigma * z).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_bucket_empties_then_refills_at_its_rate() {
        let t0 = Instant::now();
        let mut b = Bucket::new(100.0, 20.0, t0);
        assert_eq!((0..150).filter(|_| b.take(t0)).count(), 100, "a full bucket serves its capacity at once");
        assert!(!b.take(t0));
        // One second later: 20 tokens.
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!((0..50).filter(|_| b.take(t1)).count(), 20);
        // Never more than the capacity, however long it rests.
        let t2 = t1 + Duration::from_secs(3600);
        assert_eq!((0..500).filter(|_| b.take(t2)).count(), 100);
    }

    #[test]
    fn buckets_are_separate_per_key() {
        let t0 = Instant::now();
        let mut buckets = Buckets::default();
        let rate = Rate { capacity: 2.0, refill_per_sec: 0.0 };
        assert!(buckets.take(1, rate, t0) && buckets.take(1, rate, t0));
        assert!(!buckets.take(1, rate, t0));
        assert!(buckets.take(2, rate, t0), "another account-region-family has its own bucket");
    }

    #[test]
    fn ec2_rates_follow_the_documented_categories() {
        assert_eq!(ec2_rate("DescribeSecurityGroups", true), Rate { capacity: 100.0, refill_per_sec: 20.0 });
        assert_eq!(ec2_rate("DescribeRegions", false), Rate { capacity: 50.0, refill_per_sec: 10.0 });
        assert_eq!(ec2_rate("GetEbsEncryptionByDefault", false), Rate { capacity: 100.0, refill_per_sec: 20.0 });
        assert_eq!(ec2_rate("DeleteSecurityGroup", true), Rate { capacity: 200.0, refill_per_sec: 5.0 });
    }

    #[test]
    fn latency_quantiles_match_the_median_and_p99_asked() {
        let lat = Latency::new(80.0, 600.0);
        let mut rng = fastrand::Rng::with_seed(7);
        let mut draws: Vec<f64> = (0..200_000).map(|_| lat.draw(&mut rng)).collect();
        draws.sort_by(f64::total_cmp);
        let median = draws[draws.len() / 2];
        let p99 = draws[draws.len() * 99 / 100];
        assert!((median - 80.0).abs() < 3.0, "median {median}");
        assert!((p99 - 600.0).abs() < 40.0, "p99 {p99}");
        assert!(draws.iter().all(|d| *d > 0.0));
    }

    #[test]
    fn latency_zero_is_off() {
        let mut rng = fastrand::Rng::with_seed(1);
        assert_eq!(Latency::new(0.0, 600.0).draw(&mut rng), 0.0);
        assert!((Latency::new(50.0, 10.0).draw(&mut rng) - 50.0).abs() < 1e-9, "no spread when p99 <= median");
    }
}
