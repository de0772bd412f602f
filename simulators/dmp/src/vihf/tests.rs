use super::attributes::is_national_ps_id;

#[test]
fn national_ps_ids() {
    for (id, ok) in [
        ("899900063480", true),
        ("00B2800585", false),
        ("10B0011797", false),
        ("2123", false),
        ("8", false),
        ("", false),
    ] {
        assert_eq!(is_national_ps_id(id), ok, "{id}");
    }
}
