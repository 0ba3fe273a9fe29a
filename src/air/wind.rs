//! 风 (wind): the wind the user gives — one steady wind or an hourly series —
//! read strictly and validated into [`Wind`], so that an impossible wind is
//! refused with the member at fault before any geometry runs.
//!
//! Conventions (meteorological): `wind_from` is the direction the wind blows
//! **from**, degrees clockwise from north (0 = a north wind, which carries air
//! south); `speed` in m/s; hours from the release (0 = the start).

use serde::{Deserialize, Serialize};

/// Longest period the service estimates (hours).
pub const MAX_HOURS: f64 = 72.0;
/// Default half-angle of the plume sector (degrees).
pub const DEFAULT_SPREAD_DEG: f64 = 20.0;
/// Narrowest accepted half-angle (degrees): below this the plume has no width to speak of.
pub const MIN_SPREAD_DEG: f64 = 1.0;
/// Widest accepted half-angle (degrees): a half-disc.
pub const MAX_SPREAD_DEG: f64 = 90.0;
/// Fastest accepted wind (m/s): above any sustained surface wind ever measured.
pub const MAX_SPEED_MS: f64 = 100.0;
/// Longest series accepted (entries).
pub const MAX_SERIES: usize = 1000;
/// Longest travel the estimate covers (km): a regional tool, not a global one.
pub const MAX_TRAVEL_KM: f64 = 4000.0;

/// The wind as given in a request body (`POST /v1/air/downwind`, the `wind`
/// member of `POST /v1/issues/analyze`): either one steady wind
/// (`wind_from`, `speed`, `hours`) or an hourly `series` (and optionally
/// `hours`, the end of the last entry). `spread` applies to both.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WindInput {
    /// Direction the wind blows from, degrees clockwise from north (steady wind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wind_from: Option<f64>,
    /// Speed, m/s (steady wind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
    /// Duration, hours (steady wind); for a series, the end of its last entry
    /// (default: one hour after the last entry starts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<f64>,
    /// Half-angle of the plume sector, degrees (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread: Option<f64>,
    /// Hourly series: each entry's wind holds from its `hour` to the next entry's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<Vec<SeriesEntry>>,
}

/// One entry of an hourly series (逐时风).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesEntry {
    /// Hour at which this wind starts (0 = the release).
    pub hour: f64,
    /// Direction the wind blows from, degrees clockwise from north.
    pub wind_from: f64,
    /// Speed, m/s.
    pub speed: f64,
}

/// One step of a validated wind: a constant wind over an interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Step {
    /// Start, hours from the release.
    pub hour: f64,
    /// Duration, hours.
    pub hours: f64,
    /// Direction the wind blows from (degrees clockwise from north, in [0, 360)).
    pub wind_from: f64,
    /// Direction the air goes (下风向), degrees clockwise from north.
    pub toward: f64,
    /// Speed, m/s.
    pub speed: f64,
    /// Distance the air travels in this step, km.
    pub travel_km: f64,
}

/// A validated wind: consecutive steps from hour 0, and the plume half-angle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Wind {
    /// Steps in time order, without gaps, starting at hour 0.
    pub steps: Vec<Step>,
    /// Half-angle of the swept sector, degrees.
    pub spread_deg: f64,
    /// Total duration, hours.
    pub hours: f64,
    /// Total travel, km.
    pub travel_km: f64,
}

/// Why a wind was refused: 400 ([`WindError::Invalid`]) or 422 (valid but
/// beyond what the estimate covers).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WindError {
    /// A member is missing, not a number, or out of range (HTTP 400).
    #[error("invalid wind at `{path}`: {reason}")]
    Invalid {
        /// The member at fault (`speed`, `wind.series[2].hour`).
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The wind carries nothing (all calm, HTTP 422).
    #[error("calm: the wind carries nothing over the period, so there is no downwind to estimate")]
    Calm,
    /// The plume would travel further than the regional estimate covers (HTTP 422).
    #[error("the air would travel {0:.0} km, beyond the {MAX_TRAVEL_KM:.0} km this regional estimate covers")]
    TooFar(f64),
}

fn invalid(path: String, reason: impl Into<String>) -> WindError {
    WindError::Invalid {
        path,
        reason: reason.into(),
    }
}

fn finite(v: f64, path: &str) -> Result<f64, WindError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(invalid(path.into(), "must be a finite number"))
    }
}

/// A direction the wind blows from: finite, in [0, 360] (360 is north).
fn direction(v: f64, path: &str) -> Result<f64, WindError> {
    let v = finite(v, path)?;
    if !(0.0..=360.0).contains(&v) {
        return Err(invalid(
            path.into(),
            "degrees clockwise from north, 0 to 360",
        ));
    }
    Ok(v % 360.0)
}

/// A speed: finite, not negative, at most [`MAX_SPEED_MS`].
fn speed(v: f64, path: &str) -> Result<f64, WindError> {
    let v = finite(v, path)?;
    if v < 0.0 {
        return Err(invalid(path.into(), "a speed cannot be negative"));
    }
    if v > MAX_SPEED_MS {
        return Err(invalid(
            path.into(),
            format!("m/s, at most {MAX_SPEED_MS} (is the unit km/h?)"),
        ));
    }
    Ok(v)
}

/// The plume half-angle: default 20°, in [1°, 90°].
pub fn spread(v: Option<f64>, path: &str) -> Result<f64, WindError> {
    let Some(v) = v else {
        return Ok(DEFAULT_SPREAD_DEG);
    };
    let v = finite(v, path)?;
    if !(MIN_SPREAD_DEG..=MAX_SPREAD_DEG).contains(&v) {
        return Err(invalid(
            path.into(),
            format!("half-angle in degrees, {MIN_SPREAD_DEG} to {MAX_SPREAD_DEG}"),
        ));
    }
    Ok(v)
}

fn duration(v: f64, path: &str) -> Result<f64, WindError> {
    let v = finite(v, path)?;
    if v <= 0.0 || v > MAX_HOURS {
        return Err(invalid(
            path.into(),
            format!("hours, more than 0 and at most {MAX_HOURS}"),
        ));
    }
    Ok(v)
}

fn step(hour: f64, hours: f64, wind_from: f64, speed: f64) -> Step {
    Step {
        hour,
        hours,
        wind_from,
        toward: (wind_from + 180.0) % 360.0,
        speed,
        travel_km: speed * hours * 3.6,
    }
}

impl Wind {
    /// One steady wind over `hours`.
    pub fn steady(
        wind_from: f64,
        speed_ms: f64,
        hours: f64,
        spread_deg: Option<f64>,
    ) -> Result<Wind, WindError> {
        Self::steady_at(wind_from, speed_ms, hours, spread_deg, "")
    }

    fn steady_at(
        wind_from: f64,
        speed_ms: f64,
        hours: f64,
        spread_deg: Option<f64>,
        prefix: &str,
    ) -> Result<Wind, WindError> {
        let from = direction(wind_from, &format!("{prefix}wind_from"))?;
        let v = speed(speed_ms, &format!("{prefix}speed"))?;
        let h = duration(hours, &format!("{prefix}hours"))?;
        let s = spread(spread_deg, &format!("{prefix}spread"))?;
        Self::build(vec![step(0.0, h, from, v)], s, h)
    }

    /// An hourly series: entries in strictly increasing `hour` from 0; the last
    /// holds until `end` (default: one hour after it starts).
    pub fn series(
        entries: &[SeriesEntry],
        end: Option<f64>,
        spread_deg: Option<f64>,
    ) -> Result<Wind, WindError> {
        Self::series_at(entries, end, spread_deg, "")
    }

    fn series_at(
        entries: &[SeriesEntry],
        end: Option<f64>,
        spread_deg: Option<f64>,
        prefix: &str,
    ) -> Result<Wind, WindError> {
        let p = |i: usize, m: &str| format!("{prefix}series[{i}].{m}");
        if entries.is_empty() {
            return Err(invalid(format!("{prefix}series"), "the series is empty"));
        }
        if entries.len() > MAX_SERIES {
            return Err(invalid(
                format!("{prefix}series"),
                format!("at most {MAX_SERIES} entries"),
            ));
        }
        let s = spread(spread_deg, &format!("{prefix}spread"))?;
        let mut hours = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let h = finite(e.hour, &p(i, "hour"))?;
            if i == 0 && h != 0.0 {
                return Err(invalid(p(0, "hour"), "the series must start at hour 0"));
            }
            if let Some(&prev) = hours.last() {
                if h == prev {
                    return Err(invalid(p(i, "hour"), format!("hour {h} is given twice")));
                }
                if h < prev {
                    return Err(invalid(
                        p(i, "hour"),
                        format!("out of order: hour {h} comes after hour {prev}"),
                    ));
                }
            }
            if h >= MAX_HOURS {
                return Err(invalid(
                    p(i, "hour"),
                    format!("must be less than {MAX_HOURS}"),
                ));
            }
            hours.push(h);
        }
        let last = hours[hours.len() - 1];
        let end = match end {
            Some(e) => {
                let e = duration(e, &format!("{prefix}hours"))?;
                if e <= last {
                    return Err(invalid(
                        format!("{prefix}hours"),
                        format!("the series ends at hour {e}, before its last entry (hour {last}) starts"),
                    ));
                }
                e
            }
            None => (last + 1.0).min(MAX_HOURS),
        };
        let mut steps = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let from = direction(e.wind_from, &p(i, "wind_from"))?;
            let v = speed(e.speed, &p(i, "speed"))?;
            let next = hours.get(i + 1).copied().unwrap_or(end);
            steps.push(step(hours[i], next - hours[i], from, v));
        }
        Self::build(steps, s, end)
    }

    fn build(steps: Vec<Step>, spread_deg: f64, hours: f64) -> Result<Wind, WindError> {
        let travel_km: f64 = steps.iter().map(|s| s.travel_km).sum();
        if travel_km <= 1e-3 {
            return Err(WindError::Calm);
        }
        if travel_km > MAX_TRAVEL_KM {
            return Err(WindError::TooFar(travel_km));
        }
        Ok(Wind {
            steps,
            spread_deg,
            hours,
            travel_km,
        })
    }

    /// Total travel in metres.
    pub fn travel_m(&self) -> f64 {
        self.travel_km * 1000.0
    }
}

impl WindInput {
    /// Validates the input; `prefix` names the member in errors (`wind.`).
    pub fn validate(&self, prefix: &str) -> Result<Wind, WindError> {
        match (&self.series, self.wind_from, self.speed) {
            (Some(series), None, None) => Wind::series_at(series, self.hours, self.spread, prefix),
            (None, Some(from), Some(v)) => match self.hours {
                Some(h) => Wind::steady_at(from, v, h, self.spread, prefix),
                None => Err(invalid(
                    format!("{prefix}hours"),
                    "a steady wind needs `hours`",
                )),
            },
            (Some(_), _, _) => Err(invalid(
                format!("{prefix}series"),
                "give either `series` or `wind_from` and `speed`, not both",
            )),
            (None, None, _) => Err(invalid(
                format!("{prefix}wind_from"),
                "missing: give `wind_from`, `speed` and `hours`, or a `series`",
            )),
            (None, Some(_), None) => Err(invalid(
                format!("{prefix}speed"),
                "missing: a steady wind needs `speed` (m/s)",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(hour: f64, wind_from: f64, speed: f64) -> SeriesEntry {
        SeriesEntry {
            hour,
            wind_from,
            speed,
        }
    }

    fn path(r: Result<Wind, WindError>) -> String {
        match r {
            Err(WindError::Invalid { path, .. }) => path,
            other => panic!("expected an invalid wind, got {other:?}"),
        }
    }

    #[test]
    fn steady_wind_is_one_step_going_downwind() {
        let w = Wind::steady(0.0, 5.0, 10.0, None).expect("valid");
        assert_eq!(w.steps.len(), 1);
        assert_eq!(w.steps[0].toward, 180.0);
        assert_eq!(w.spread_deg, DEFAULT_SPREAD_DEG);
        assert!((w.travel_km - 180.0).abs() < 1e-9);
        assert_eq!(
            Wind::steady(360.0, 1.0, 1.0, None).expect("360").steps[0].toward,
            180.0
        );
        assert_eq!(
            Wind::steady(270.0, 1.0, 1.0, None).expect("west").steps[0].toward,
            90.0
        );
    }

    #[test]
    fn refuses_impossible_winds_naming_the_member() {
        assert_eq!(path(Wind::steady(0.0, -1.0, 1.0, None)), "speed");
        assert_eq!(path(Wind::steady(f64::NAN, 1.0, 1.0, None)), "wind_from");
        assert_eq!(path(Wind::steady(0.0, f64::NAN, 1.0, None)), "speed");
        assert_eq!(path(Wind::steady(0.0, 1.0, 72.5, None)), "hours");
        assert_eq!(path(Wind::steady(0.0, 1.0, 0.0, None)), "hours");
        assert_eq!(path(Wind::steady(0.0, 1.0, f64::INFINITY, None)), "hours");
        assert_eq!(path(Wind::steady(-5.0, 1.0, 1.0, None)), "wind_from");
        assert_eq!(path(Wind::steady(361.0, 1.0, 1.0, None)), "wind_from");
        assert_eq!(path(Wind::steady(0.0, 1.0, 1.0, Some(0.0))), "spread");
        assert_eq!(path(Wind::steady(0.0, 1.0, 1.0, Some(91.0))), "spread");
        assert_eq!(path(Wind::steady(0.0, 150.0, 1.0, None)), "speed");
        assert_eq!(Wind::steady(0.0, 0.0, 5.0, None), Err(WindError::Calm));
        assert!(matches!(
            Wind::steady(0.0, 20.0, 72.0, None),
            Err(WindError::TooFar(_))
        ));
    }

    #[test]
    fn series_in_order_from_hour_zero() {
        let w = Wind::series(
            &[e(0.0, 0.0, 3.0), e(2.0, 45.0, 4.0)],
            Some(6.0),
            Some(30.0),
        )
        .expect("valid");
        assert_eq!(w.steps.len(), 2);
        assert_eq!((w.steps[0].hours, w.steps[1].hours), (2.0, 4.0));
        assert_eq!(w.hours, 6.0);
        assert!((w.travel_km - (3.0 * 2.0 + 4.0 * 4.0) * 3.6).abs() < 1e-9);
        // Default end: one hour after the last entry.
        let w = Wind::series(&[e(0.0, 0.0, 3.0), e(1.0, 10.0, 3.0)], None, None).expect("valid");
        assert_eq!(w.hours, 2.0);
    }

    #[test]
    fn series_out_of_order_or_duplicated_is_refused() {
        let ok = e(0.0, 0.0, 3.0);
        assert_eq!(
            path(Wind::series(
                &[ok, e(2.0, 0.0, 3.0), e(1.0, 0.0, 3.0)],
                None,
                None
            )),
            "series[2].hour"
        );
        assert_eq!(
            path(Wind::series(
                &[ok, e(1.0, 0.0, 3.0), e(1.0, 0.0, 3.0)],
                None,
                None
            )),
            "series[2].hour"
        );
        assert_eq!(
            path(Wind::series(&[e(1.0, 0.0, 3.0)], None, None)),
            "series[0].hour"
        );
        assert_eq!(
            path(Wind::series(&[ok, e(72.0, 0.0, 3.0)], None, None)),
            "series[1].hour"
        );
        assert_eq!(
            path(Wind::series(&[ok, e(1.0, 0.0, -2.0)], None, None)),
            "series[1].speed"
        );
        assert_eq!(
            path(Wind::series(&[ok, e(1.0, f64::NAN, 2.0)], None, None)),
            "series[1].wind_from"
        );
        assert_eq!(path(Wind::series(&[], None, None)), "series");
        assert_eq!(
            path(Wind::series(&[ok, e(3.0, 0.0, 1.0)], Some(2.0), None)),
            "hours"
        );
        assert_eq!(path(Wind::series(&[ok], Some(80.0), None)), "hours");
    }

    #[test]
    fn input_takes_one_form_or_the_other() {
        let steady = WindInput {
            wind_from: Some(90.0),
            speed: Some(2.0),
            hours: Some(3.0),
            ..Default::default()
        };
        assert_eq!(
            steady.validate("wind.").expect("valid").steps[0].toward,
            270.0
        );
        let both = WindInput {
            series: Some(vec![e(0.0, 0.0, 1.0)]),
            ..steady.clone()
        };
        assert_eq!(path(both.validate("wind.")), "wind.series");
        let no_hours = WindInput {
            hours: None,
            ..steady
        };
        assert_eq!(path(no_hours.validate("wind.")), "wind.hours");
        assert_eq!(path(WindInput::default().validate("")), "wind_from");
        let bad: Result<WindInput, _> =
            serde_json::from_str(r#"{"wind_from": 1, "speed": 2, "hours": 3, "gust": 9}"#);
        assert!(bad.is_err(), "unknown members are refused");
    }
}
