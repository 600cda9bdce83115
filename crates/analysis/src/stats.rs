//! The statistics of the deep-dive, as pure functions over counts.
//!
//! Every function names its method and a published source. Nothing here allocates more than the
//! input it is given, reads the clock, or panics on well-formed counts: undefined quantities come
//! back as `None`.

/// The standard normal quantile for a two-sided 95% interval, `qnorm(0.975)` in R.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
}

/// A point estimate with its 95% confidence interval and the name of the method that produced
/// both (including any continuity correction that was applied).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub ci95: Interval,
    pub method: &'static str,
}

/// A rate `numerator / denominator` with its Wilson 95% interval; both are `None` when the
/// denominator is zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proportion {
    pub numerator: u64,
    pub denominator: u64,
    pub rate: Option<f64>,
    pub ci95: Option<Interval>,
}

impl Proportion {
    /// Builds the proportion and its Wilson score 95% interval (see [`wilson_interval`]).
    pub fn new(numerator: u64, denominator: u64) -> Self {
        let rate = (denominator > 0).then(|| numerator as f64 / denominator as f64);
        Proportion {
            numerator,
            denominator,
            rate,
            ci95: wilson_interval(numerator, denominator, Z95),
        }
    }
}

/// Wilson score interval for a binomial proportion, without continuity correction.
///
/// Method: with `p = x/n`, the bounds are
/// `(p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)`, clamped to `[0, 1]`.
/// Source: E. B. Wilson (1927), "Probable inference, the law of succession, and statistical
/// inference", JASA 22:209–212; method 3 of R. G. Newcombe (1998), "Two-sided confidence
/// intervals for the single proportion", Stat. Med. 17:857–872. It equals R's
/// `prop.test(x, n, correct = FALSE)$conf.int`.
///
/// Returns `None` when `trials == 0` or `successes > trials`.
pub fn wilson_interval(successes: u64, trials: u64, z: f64) -> Option<Interval> {
    if trials == 0 || successes > trials || !z.is_finite() {
        return None;
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    // At x = 0 and x = n the exact bounds are 0 and 1; pin them against rounding.
    let lower = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let upper = if successes == trials {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some(Interval { lower, upper })
}

/// The natural logarithm of the gamma function, for `x > 0`.
///
/// Method: the Lanczos approximation with g = 7 and nine coefficients (relative error below
/// 1e-15 over the positive reals), with the reflection formula below 0.5.
/// Source: C. Lanczos (1964), "A precise approximation of the gamma function", SIAM J. Numer.
/// Anal. B 1:86–96; the g = 7, n = 9 coefficient set is P. Godfrey's (as reproduced in
/// Wikipedia's "Lanczos approximation" article).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        let s = (std::f64::consts::PI * x).sin().abs();
        return std::f64::consts::PI.ln() - s.ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut acc = COEF[0];
    for (i, c) in COEF.iter().enumerate().skip(1) {
        acc += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + acc.ln()
}

/// `ln(n!)`, through [`ln_gamma`]; exact to rounding for the small `n` where that matters.
fn ln_factorial(n: u64) -> f64 {
    if n < 2 {
        0.0
    } else {
        ln_gamma(n as f64 + 1.0)
    }
}

/// Fisher's exact test, two-sided, for the 2×2 table `[[a, b], [c, d]]`.
///
/// Method: with the margins fixed, the top-left cell follows the hypergeometric distribution.
/// The p-value is the total probability of all tables whose probability is at most that of the
/// observed table, where "at most" allows a relative tolerance of 1e-7, exactly as R's
/// `fisher.test` does (`relErr <- 1 + 10^(-7)`). Probabilities are computed from
/// log-factorials ([`ln_gamma`]) and normalised over the support, so tables with tens of
/// thousands of changes neither overflow nor underflow.
/// Source: R. A. Fisher (1935), *The Design of Experiments*, §2; R source
/// `src/library/stats/R/fisher.test.R`.
///
/// An empty table (all zeros) or one with an empty margin has only one possible table, so its
/// p-value is 1.
pub fn fisher_exact_two_sided(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let row1 = a + b;
    let row2 = c + d;
    let col1 = a + c;
    let lo = col1.saturating_sub(row2);
    let hi = row1.min(col1);
    if lo >= hi {
        return 1.0;
    }
    // log P(x) up to the constant −ln C(n, col1), which the normalisation removes.
    let log_density = |x: u64| -> f64 {
        -(ln_factorial(x)
            + ln_factorial(row1 - x)
            + ln_factorial(col1 - x)
            + ln_factorial(row2 + x - col1))
    };
    let logs: Vec<f64> = (lo..=hi).map(log_density).collect();
    let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let dens: Vec<f64> = logs.iter().map(|l| (l - max).exp()).collect();
    let total: f64 = dens.iter().sum();
    let observed = dens[(a - lo) as usize];
    let threshold = observed * (1.0 + 1e-7);
    let p: f64 = dens.iter().filter(|&&v| v <= threshold).sum::<f64>() / total;
    p.min(1.0)
}

/// Risk ratio `(a/n1) / (c/n2)` of the exposed (`a` events of `n1`) against the unexposed
/// (`c` events of `n2`), with the Katz log interval.
///
/// Method: `exp(ln RR ± z·sqrt(1/a − 1/n1 + 1/c − 1/n2))`.
/// Source: D. Katz, J. Baptista, S. P. Azen, M. C. Pike (1978), "Obtaining confidence intervals
/// for the risk ratio in cohort studies", Biometrics 34:469–474.
///
/// Zero cells: when `a` or `c` is zero the Haldane–Anscombe correction adds 0.5 to every cell
/// (so 0.5 to each event count and 1 to each total), and `method` says so. Returns `None` when a
/// group is empty or events exceed totals.
pub fn risk_ratio(a: u64, n1: u64, c: u64, n2: u64) -> Option<Estimate> {
    if n1 == 0 || n2 == 0 || a > n1 || c > n2 {
        return None;
    }
    let (a, n1, c, n2, method) = if a == 0 || c == 0 {
        (
            a as f64 + 0.5,
            n1 as f64 + 1.0,
            c as f64 + 0.5,
            n2 as f64 + 1.0,
            "Katz log interval, Haldane 0.5 correction added to every cell (a zero cell)",
        )
    } else {
        (
            a as f64,
            n1 as f64,
            c as f64,
            n2 as f64,
            "Katz log interval",
        )
    };
    let rr = (a / n1) / (c / n2);
    let se = (1.0 / a - 1.0 / n1 + 1.0 / c - 1.0 / n2).max(0.0).sqrt();
    Some(Estimate {
        value: rr,
        ci95: Interval {
            lower: (rr.ln() - Z95 * se).exp(),
            upper: (rr.ln() + Z95 * se).exp(),
        },
        method,
    })
}

/// Risk difference `a/n1 − c/n2` with the Newcombe hybrid score interval.
///
/// Method: method 10 of Newcombe (1998): with Wilson 95% intervals `(l1, u1)` for `a/n1` and
/// `(l2, u2)` for `c/n2`, the bounds are `d − sqrt((p1 − l1)² + (u2 − p2)²)` and
/// `d + sqrt((u1 − p1)² + (p2 − l2)²)`. It needs no zero-cell correction.
/// Source: R. G. Newcombe (1998), "Interval estimation for the difference between independent
/// proportions: comparison of eleven methods", Stat. Med. 17:873–890.
///
/// Returns `None` when a group is empty or events exceed totals.
pub fn risk_difference(a: u64, n1: u64, c: u64, n2: u64) -> Option<Estimate> {
    let w1 = wilson_interval(a, n1, Z95)?;
    let w2 = wilson_interval(c, n2, Z95)?;
    let p1 = a as f64 / n1 as f64;
    let p2 = c as f64 / n2 as f64;
    let diff = p1 - p2;
    let lower = diff - ((p1 - w1.lower).powi(2) + (w2.upper - p2).powi(2)).sqrt();
    let upper = diff + ((w1.upper - p1).powi(2) + (p2 - w2.lower).powi(2)).sqrt();
    Some(Estimate {
        value: diff,
        ci95: Interval {
            lower: lower.max(-1.0),
            upper: upper.min(1.0),
        },
        method: "Newcombe hybrid score interval (method 10)",
    })
}

/// One stratum of a stratified 2×2 analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stratum {
    pub exposed_events: u64,
    pub exposed_total: u64,
    pub unexposed_events: u64,
    pub unexposed_total: u64,
}

/// Mantel–Haenszel pooled risk ratio over strata, with the Greenland–Robins variance.
///
/// Method: with `a, c` the exposed and unexposed events, `n1, n0` the group totals and
/// `N = n1 + n0` per stratum, `RR_MH = Σ(a·n0/N) / Σ(c·n1/N)` and
/// `Var(ln RR_MH) = Σ((n1·n0·(a + c) − a·c·N) / N²) / (Σ(a·n0/N) · Σ(c·n1/N))`;
/// the interval is `exp(ln RR_MH ± z·sqrt(Var))`.
/// Source: S. Greenland, J. M. Robins (1985), "Estimation of a common effect parameter from
/// sparse follow-up data", Biometrics 41:55–68; K. J. Rothman, S. Greenland, T. L. Lash,
/// *Modern Epidemiology* (3rd ed., 2008), ch. 15 (stratified analysis of risk data).
///
/// Strata with an empty group contribute nothing and are skipped. Returns `None` when no
/// stratum is usable, when either pooled sum is zero (no events on one side: the ratio is 0 or
/// infinite), or when a stratum's events exceed its total.
pub fn mantel_haenszel_risk_ratio(strata: &[Stratum]) -> Option<Estimate> {
    let mut num = 0.0;
    let mut den = 0.0;
    let mut var_num = 0.0;
    for s in strata {
        if s.exposed_events > s.exposed_total || s.unexposed_events > s.unexposed_total {
            return None;
        }
        if s.exposed_total == 0 || s.unexposed_total == 0 {
            continue;
        }
        let a = s.exposed_events as f64;
        let c = s.unexposed_events as f64;
        let n1 = s.exposed_total as f64;
        let n0 = s.unexposed_total as f64;
        let n = n1 + n0;
        num += a * n0 / n;
        den += c * n1 / n;
        var_num += (n1 * n0 * (a + c) - a * c * n) / (n * n);
    }
    if num <= 0.0 || den <= 0.0 {
        return None;
    }
    let rr = num / den;
    let se = (var_num / (num * den)).max(0.0).sqrt();
    Some(Estimate {
        value: rr,
        ci95: Interval {
            lower: (rr.ln() - Z95 * se).exp(),
            upper: (rr.ln() + Z95 * se).exp(),
        },
        method: "Mantel-Haenszel risk ratio, Greenland-Robins (1985) variance",
    })
}

/// The median and 90th percentile of a sample, with the name of the estimator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantiles {
    pub median: f64,
    pub p90: f64,
    pub estimator: &'static str,
}

/// The sample quantile `q` of sorted values, Hyndman–Fan type 7.
fn quantile_type7(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Median and 90th percentile.
///
/// Method: Hyndman–Fan type 7 (linear interpolation between order statistics at
/// `h = (n − 1)·q`), R's default `quantile(x, type = 7)` and NumPy's default.
/// Source: R. J. Hyndman, Y. Fan (1996), "Sample quantiles in statistical packages",
/// The American Statistician 50:361–365.
///
/// NaN values are ignored; returns `None` when nothing is left.
pub fn median_and_p90(values: &[f64]) -> Option<Quantiles> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    Some(Quantiles {
        median: quantile_type7(&sorted, 0.5),
        p90: quantile_type7(&sorted, 0.9),
        estimator: "type 7 linear interpolation (Hyndman & Fan 1996), as R's default",
    })
}

/// Failures below which a rate is flagged as resting on too few events.
pub const MIN_EVENTS: u64 = 5;
/// Changes below which a rate is flagged as resting on too small a sample.
pub const MIN_TOTAL: u64 = 30;

/// A plain-English caveat when a rate rests on fewer than [`MIN_EVENTS`] failures or fewer
/// than [`MIN_TOTAL`] changes, `None` otherwise.
///
/// Rationale: the usual rule of thumb for normal approximations to a binomial (at least 5
/// expected events, e.g. W. G. Cochran (1954), "Some methods for strengthening the common χ²
/// tests", Biometrics 10:417–451), and the customary n ≥ 30 for a "large" sample.
pub fn small_sample_warning(events: u64, total: u64) -> Option<String> {
    if total == 0 {
        return Some("No changes in this group, so no rate can be computed.".to_string());
    }
    let change_word = if total == 1 { "change" } else { "changes" };
    let failure_word = if events == 1 { "failure" } else { "failures" };
    if total < MIN_TOTAL {
        Some(format!(
            "Only {total} {change_word} in this group (fewer than {MIN_TOTAL}): the rate can move \
             a lot with a single change, so read it as a rough indication only."
        ))
    } else if events < MIN_EVENTS {
        Some(format!(
            "Only {events} {failure_word} among {total} {change_word} (fewer than {MIN_EVENTS}): \
             one more or one fewer failure would change the rate noticeably, so the interval is \
             wide and the comparison is fragile."
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tol: f64) {
        assert!(
            (actual - expected).abs() <= tol,
            "expected {expected}, got {actual} (tolerance {tol})"
        );
    }

    #[test]
    fn wilson_matches_newcombe_1998_table() {
        // Newcombe (1998), Stat. Med. 17:857, Table II, method 3 (Wilson score, no continuity
        // correction), given to 4 decimals.
        let w = wilson_interval(81, 263, Z95).expect("defined");
        close(w.lower, 0.2553, 5e-5);
        close(w.upper, 0.3662, 5e-5);
        let w = wilson_interval(15, 148, Z95).expect("defined");
        close(w.lower, 0.0624, 5e-5);
        close(w.upper, 0.1605, 5e-5);
        let w = wilson_interval(0, 20, Z95).expect("defined");
        close(w.lower, 0.0, 1e-12);
        close(w.upper, 0.1611, 5e-5);
        let w = wilson_interval(1, 29, Z95).expect("defined");
        close(w.lower, 0.0061, 5e-5);
        close(w.upper, 0.1718, 5e-5);
    }

    #[test]
    fn wilson_closed_forms() {
        // 0/n has the closed form upper = z²/(n + z²) (set p = 0 in Wilson's formula):
        // 3.841458820694124 / 13.841458820694124 = 0.27753279...; R's
        // prop.test(0, 10, correct = FALSE) prints 0.0000000 0.2775328.
        let w = wilson_interval(0, 10, Z95).expect("defined");
        close(w.lower, 0.0, 1e-12);
        close(w.upper, Z95 * Z95 / (10.0 + Z95 * Z95), 1e-12);
        close(w.upper, 0.2775328, 1e-7);
        // 10/10 mirrors 0/10: [1 − 0.2775328, 1].
        let w = wilson_interval(10, 10, Z95).expect("defined");
        close(w.lower, 1.0 - 0.277_532_8, 1e-7);
        close(w.upper, 1.0, 1e-12);
        // 19/612, worked by hand with z² = 3.841458820694124, n = 612, p = 19/612 = 0.0310458:
        // denom = 1 + z²/n = 1.0062769; centre = (0.0310458 + z²/2n = 0.0031384) / denom
        // = 0.0339710; half = z·sqrt(p(1−p)/n + z²/4n²) / denom
        // = 1.959964·sqrt(4.91535e-5 + 2.56409e-6) / 1.0062769 = 0.0140071
        // → [0.0199638, 0.0479781] (an independent Python evaluation gives
        // 0.019963824203, 0.047978108288).
        let w = wilson_interval(19, 612, Z95).expect("defined");
        close(w.lower, 0.019_963_824_203, 1e-9);
        close(w.upper, 0.047_978_108_288, 1e-9);
        assert_eq!(wilson_interval(0, 0, Z95), None);
        assert_eq!(wilson_interval(3, 2, Z95), None);
    }

    #[test]
    fn proportion_constructor() {
        let p = Proportion::new(19, 612);
        close(p.rate.expect("rate"), 19.0 / 612.0, 1e-15);
        assert_eq!(p.ci95, wilson_interval(19, 612, Z95));
        let empty = Proportion::new(0, 0);
        assert_eq!(empty.rate, None);
        assert_eq!(empty.ci95, None);
    }

    #[test]
    fn ln_gamma_known_values() {
        // Γ(n) = (n − 1)!; Γ(1/2) = √π (Abramowitz & Stegun 6.1.8).
        close(ln_gamma(1.0), 0.0, 1e-14);
        close(ln_gamma(2.0), 0.0, 1e-14);
        close(ln_gamma(5.0), 24f64.ln(), 1e-13);
        close(ln_gamma(0.5), std::f64::consts::PI.sqrt().ln(), 1e-13);
        // ln(170!) = 706.5730622457874 (A&S / any CAS); relative check.
        close(ln_gamma(171.0) / 706.573_062_245_787_4, 1.0, 1e-14);
        let direct: f64 = (2..=1000).map(|k| (k as f64).ln()).sum();
        close(ln_gamma(1001.0) / direct, 1.0, 1e-13);
    }

    #[test]
    fn fisher_reference_tables() {
        // Tea tasting (Fisher 1935; R's `?fisher.test` TeaTasting = [[3,1],[1,3]]). R's example
        // runs one-sided (p = 0.2429); the two-sided p-value is 0.4857 = 17/35 exactly
        // (tables 0 and 4 have probability 1/70 each, 1 and 3 have 16/70, 2 has 36/70).
        close(fisher_exact_two_sided(3, 1, 1, 3), 34.0 / 70.0, 1e-12);
        close(fisher_exact_two_sided(3, 1, 1, 3), 0.485_714_285_7, 1e-9);
        // Wikipedia "Fisher's exact test" (dieting example) [[1,9],[11,3]]: two-sided
        // p ≈ 0.002759; exactly 41/14858 = 0.0027594561852200836 by rational arithmetic
        // (Python `fractions.Fraction` with `math.comb`).
        close(fisher_exact_two_sided(1, 9, 11, 3), 0.002_759, 5e-7);
        close(
            fisher_exact_two_sided(1, 9, 11, 3),
            0.002_759_456_185_220_083_6,
            1e-12,
        );
        // Symmetric under transposition and row swap.
        close(
            fisher_exact_two_sided(1, 11, 9, 3),
            fisher_exact_two_sided(1, 9, 11, 3),
            1e-14,
        );
        close(
            fisher_exact_two_sided(11, 3, 1, 9),
            fisher_exact_two_sided(1, 9, 11, 3),
            1e-14,
        );
        // Degenerate margins: only one table is possible.
        close(fisher_exact_two_sided(0, 0, 0, 0), 1.0, 0.0);
        close(fisher_exact_two_sided(5, 0, 7, 0), 1.0, 0.0);
    }

    #[test]
    fn fisher_large_tables() {
        // Tens of thousands of changes: equal rates give p = 1 (the observed table is the mode
        // of a symmetric distribution), and it must stay finite.
        close(fisher_exact_two_sided(300, 9_700, 300, 9_700), 1.0, 1e-9);
        // 19/612 vs 400/20 000: computed exactly with Python fractions and math.comb
        // (R's ≤ (1 + 1e-7) rule) as 0.07813807688571252; checked to 1e-8.
        let p = fisher_exact_two_sided(19, 593, 400, 19_600);
        assert!(p.is_finite() && p > 0.0 && p < 1.0, "p = {p}");
        close(p, FISHER_19_612_400_20000, 1e-8);
        let tiny = fisher_exact_two_sided(2_000, 18_000, 500, 19_500);
        assert!((0.0..1e-100).contains(&tiny), "p = {tiny}");
    }

    /// Exact two-sided Fisher p-value for [[19, 593], [400, 19600]], from rational arithmetic
    /// in Python (`fractions.Fraction`, `math.comb`, R's ≤ (1 + 1e-7) rule).
    const FISHER_19_612_400_20000: f64 = 0.078_138_076_885_712_52;

    #[test]
    fn risk_ratio_katz() {
        // a = 19 of 612 vs c = 10 of 610, worked by hand:
        // RR = (19/612)/(10/610) = 0.0310458/0.0163934 = 1.893791
        // SE = sqrt(1/19 − 1/612 + 1/10 − 1/610) = sqrt(0.0526316 − 0.0016340 + 0.1 − 0.0016393)
        //    = sqrt(0.1493582) = 0.3864689
        // CI = 1.893791 · exp(∓1.959964 · 0.3864689) = [0.887910, 4.039196]
        let e = risk_ratio(19, 612, 10, 610).expect("defined");
        close(e.value, 19.0 / 612.0 / (10.0 / 610.0), 1e-12);
        let se = (1.0 / 19.0 - 1.0 / 612.0 + 1.0 / 10.0 - 1.0 / 610.0_f64).sqrt();
        close(e.ci95.lower, e.value * (-Z95 * se).exp(), 1e-12);
        close(e.ci95.upper, e.value * (Z95 * se).exp(), 1e-12);
        close(e.value, 1.893_791, 1e-6);
        close(e.ci95.lower, 0.887_910, 1e-6);
        close(e.ci95.upper, 4.039_196, 1e-6);
        assert_eq!(e.method, "Katz log interval");
        // Zero cell: Haldane correction. (0.5/11)/(2.5/11) = 0.2.
        let z = risk_ratio(0, 10, 2, 10).expect("corrected");
        close(z.value, 0.2, 1e-12);
        assert!(z.method.contains("Haldane"));
        assert_eq!(risk_ratio(1, 0, 1, 10), None);
        assert_eq!(risk_ratio(11, 10, 1, 10), None);
    }

    #[test]
    fn risk_difference_newcombe() {
        // Newcombe (1998), Stat. Med. 17:873, Table II, method 10, given to 4 decimals.
        let e = risk_difference(56, 70, 48, 80).expect("defined");
        close(e.value, 0.2, 1e-12);
        close(e.ci95.lower, 0.0524, 5e-5);
        close(e.ci95.upper, 0.3339, 5e-5);
        let e = risk_difference(9, 10, 3, 10).expect("defined");
        close(e.ci95.lower, 0.1705, 5e-5);
        close(e.ci95.upper, 0.8090, 5e-5);
        let e = risk_difference(5, 56, 0, 29).expect("defined");
        close(e.ci95.lower, -0.0381, 5e-5);
        close(e.ci95.upper, 0.1926, 5e-5);
        let e = risk_difference(6, 7, 2, 7).expect("defined");
        close(e.ci95.lower, 0.0582, 5e-5);
        close(e.ci95.upper, 0.8062, 5e-5);
        // Both groups at zero: the bounds reduce to −(Wilson upper of 0/20) and the Wilson upper
        // of 0/10, i.e. −z²/(20 + z²) and z²/(10 + z²).
        let e = risk_difference(0, 10, 0, 20).expect("defined");
        close(e.ci95.lower, -Z95 * Z95 / (20.0 + Z95 * Z95), 1e-12);
        close(e.ci95.upper, Z95 * Z95 / (10.0 + Z95 * Z95), 1e-12);
        assert_eq!(risk_difference(0, 0, 0, 20), None);
    }

    #[test]
    fn mantel_haenszel_by_hand() {
        // Two strata, worked by hand (a, n1 | c, n0; N = n1 + n0):
        //   S1: 10/100 | 5/100, N = 200: a·n0/N = 10·100/200 = 5.0; c·n1/N = 5·100/200 = 2.5;
        //       (n1·n0·(a+c) − a·c·N)/N² = (100·100·15 − 10·5·200)/40 000 = 140 000/40 000 = 3.5
        //   S2: 20/50 | 30/150, N = 200: a·n0/N = 20·150/200 = 15.0; c·n1/N = 30·50/200 = 7.5;
        //       (50·150·50 − 20·30·200)/40 000 = (375 000 − 120 000)/40 000 = 6.375
        // RR_MH = (5 + 15)/(2.5 + 7.5) = 2.0
        // Var(ln RR_MH) = (3.5 + 6.375)/(20 · 10) = 0.049375, SE = 0.2222049
        // CI = 2 · exp(∓1.959964 · 0.2222049) = [1.293865, 3.091513]
        let strata = [
            Stratum {
                exposed_events: 10,
                exposed_total: 100,
                unexposed_events: 5,
                unexposed_total: 100,
            },
            Stratum {
                exposed_events: 20,
                exposed_total: 50,
                unexposed_events: 30,
                unexposed_total: 150,
            },
        ];
        let e = mantel_haenszel_risk_ratio(&strata).expect("defined");
        close(e.value, 2.0, 1e-12);
        let se = 0.049_375_f64.sqrt();
        close(e.ci95.lower, 2.0 * (-Z95 * se).exp(), 1e-12);
        close(e.ci95.upper, 2.0 * (Z95 * se).exp(), 1e-12);
        close(e.ci95.lower, 1.293_865, 1e-6);
        close(e.ci95.upper, 3.091_513, 1e-6);
        // One stratum reduces to the crude RR with the Katz variance, by algebra:
        // (n1·n0·(a+c) − a·c·N)/N² ÷ (a·n0·c·n1/N²) = 1/a + 1/c − N/(n1·n0) = 1/a − 1/n1 + 1/c − 1/n0.
        let one = mantel_haenszel_risk_ratio(&strata[..1]).expect("defined");
        let crude = risk_ratio(10, 100, 5, 100).expect("defined");
        close(one.value, crude.value, 1e-12);
        close(one.ci95.lower, crude.ci95.lower, 1e-12);
        close(one.ci95.upper, crude.ci95.upper, 1e-12);
        assert_eq!(mantel_haenszel_risk_ratio(&[]), None);
    }

    #[test]
    fn quantiles_type7() {
        // R: quantile(1:10, c(0.5, 0.9)) → 5.5, 9.1.
        let values: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        let q = median_and_p90(&values).expect("non-empty");
        close(q.median, 5.5, 1e-12);
        close(q.p90, 9.1, 1e-12);
        assert!(q.estimator.contains("type 7"));
        // R: quantile(c(1, 2, 4, 8, 100), c(0.5, 0.9)) → 4, 63.2 (h = 3.6: 8 + 0.6·92).
        let q = median_and_p90(&[100.0, 1.0, 8.0, 2.0, 4.0]).expect("non-empty");
        close(q.median, 4.0, 1e-12);
        close(q.p90, 63.2, 1e-12);
        let one = median_and_p90(&[3.0]).expect("non-empty");
        assert_eq!((one.median, one.p90), (3.0, 3.0));
        assert_eq!(median_and_p90(&[]), None);
        assert_eq!(median_and_p90(&[f64::NAN]), None);
    }

    #[test]
    fn small_sample_warnings() {
        assert!(small_sample_warning(0, 0).is_some());
        assert!(small_sample_warning(3, 20).is_some());
        assert!(small_sample_warning(3, 612).is_some());
        assert!(small_sample_warning(19, 612).is_none());
        let text = small_sample_warning(1, 100).expect("warning");
        assert!(text.contains("1 failure among 100 changes"), "{text}");
    }
}
