//! Go's `fmt` verbs that rkbuild prints with (Go 1.21, as buildx 0.13.1 is
//! built with): `%.4g`, as go-units' `HumanSize` formats a size.

/// Go's `%.4g`: four significant digits, trailing zeros dropped, the
/// exponent form (`1.5e+06`) below 1e-4 and from 1e4 up.
pub(crate) fn g4(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let e = format!("{v:.3e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..4).contains(&exp) {
        let mant = trim_zeros(mant);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mant}e{sign}{:02}", exp.abs());
    }
    let decimals = (3 - exp).max(0) as usize;
    trim_zeros(&format!("{v:.decimals$}"))
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g4_like_go() {
        for (v, want) in [
            (0.0, "0"),
            (6.0, "6"),
            (1.234, "1.234"),
            (12.345, "12.35"),
            (4.5, "4.5"),
            (999.999, "1000"),
            (1.0737, "1.074"),
            (12345.0, "1.234e+04"),
            (0.00001234, "1.234e-05"),
            (0.001, "0.001"),
        ] {
            assert_eq!(g4(v), want, "{v}");
        }
    }
}
