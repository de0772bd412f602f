//! HL7 `TS` values (`effectiveTime/@value`, XDS `creationTime`) as instants.

use time::OffsetDateTime;

/// An HL7 `TS` (`YYYYMMDDHHMMSS`, optionally `±ZZZZ`) as a date-time.
pub fn instant(value: &str) -> Option<OffsetDateTime> {
    let digits = value.get(..14)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |range: std::ops::Range<usize>| digits[range].parse::<u32>().ok();
    let date = time::Date::from_calendar_date(
        n(0..4)? as i32,
        time::Month::try_from(n(4..6)? as u8).ok()?,
        n(6..8)? as u8,
    )
    .ok()?;
    let clock = time::Time::from_hms(n(8..10)? as u8, n(10..12)? as u8, n(12..14)? as u8).ok()?;
    let offset = match value.get(14..) {
        Some(z) if z.len() == 5 => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let hours: i8 = z.get(1..3)?.parse().ok()?;
            let minutes: i8 = z.get(3..5)?.parse().ok()?;
            time::UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?
        }
        _ => time::UtcOffset::UTC,
    };
    Some(time::PrimitiveDateTime::new(date, clock).assume_offset(offset))
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_read_with_their_offset() {
        let t = super::instant("20240104160527+0100").unwrap();
        assert_eq!(t.unix_timestamp(), 1_704_380_727);
        assert!(super::instant("2024").is_none());
        assert!(super::instant("20241304160527").is_none());
    }
}
