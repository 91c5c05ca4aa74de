//! A small terminal emulator for the tail of a running step's output, as
//! the tty view shows it: a grid of `height` x `width` cells that text
//! wraps into and scrolls out of the top of. Carriage returns, newlines,
//! backspaces and tabs move the cursor; escape sequences are dropped, as
//! the view prints the text without attributes.

/// The emulated screen.
#[derive(Debug, Clone)]
pub(crate) struct Vt100 {
    height: usize,
    width: usize,
    content: Vec<Vec<char>>,
    x: usize,
    y: usize,
    /// Bytes of an unfinished UTF-8 character or escape sequence.
    pending: Vec<u8>,
}

impl Vt100 {
    pub(crate) fn new(height: usize, width: usize) -> Self {
        let (height, width) = (height.max(1), width.max(1));
        Vt100 {
            height,
            width,
            content: vec![vec![' '; width]; height],
            x: 0,
            y: 0,
            pending: Vec::new(),
        }
    }

    pub(crate) fn width(&self) -> usize {
        self.width
    }

    /// The rows, top first.
    pub(crate) fn content(&self) -> &[Vec<char>] {
        &self.content
    }

    /// Rows that are not blank.
    pub(crate) fn used_height(&self) -> usize {
        self.content
            .iter()
            .filter(|r| r.iter().any(|c| *c != ' '))
            .count()
    }

    /// Changes the size, keeping what fits.
    pub(crate) fn resize(&mut self, height: usize, width: usize) {
        let (height, width) = (height.max(1), width.max(1));
        if height > self.height {
            for _ in self.height..height {
                self.content.push(vec![' '; self.width]);
            }
        } else {
            self.content.truncate(height);
        }
        self.height = height;
        for row in &mut self.content {
            row.resize(width, ' ');
        }
        self.width = width;
    }

    fn scroll_if_needed(&mut self) {
        if self.x >= self.width {
            self.x = 0;
            self.y += 1;
        }
        if self.y >= self.height {
            self.content.remove(0);
            self.content.push(vec![' '; self.width]);
            self.y = self.height - 1;
        }
    }

    fn put(&mut self, c: char) {
        self.scroll_if_needed();
        self.content[self.y][self.x] = c;
        self.x += 1;
        if self.x >= self.width {
            self.x = 0;
            self.y += 1;
        }
    }

    /// Feeds output bytes.
    pub(crate) fn write(&mut self, data: &[u8]) {
        let mut buf = std::mem::take(&mut self.pending);
        buf.extend_from_slice(data);
        let mut i = 0;
        while i < buf.len() {
            let b = buf[i];
            match b {
                0x1b => match skip_escape(&buf[i..]) {
                    Some(n) => i += n,
                    None => {
                        if buf.len() - i < 32 {
                            self.pending = buf[i..].to_vec();
                        }
                        return;
                    }
                },
                b'\n' => {
                    self.x = 0;
                    // Scrolling waits for the next character, so the last
                    // line stays visible.
                    self.y = (self.y + 1).min(self.height);
                    i += 1;
                }
                b'\r' => {
                    self.x = 0;
                    i += 1;
                }
                0x08 => {
                    if self.x > 0 {
                        self.x -= 1;
                    } else if self.y > 0 {
                        self.y -= 1;
                        self.x = self.width - 1;
                    }
                    i += 1;
                }
                b'\t' => {
                    let next = (self.x / 8 + 1) * 8;
                    while self.x < next.min(self.width) {
                        self.put(' ');
                        if self.x == 0 {
                            break;
                        }
                    }
                    i += 1;
                }
                0..=0x1f | 0x7f => i += 1,
                _ => {
                    let len = utf8_len(b);
                    if i + len > buf.len() {
                        self.pending = buf[i..].to_vec();
                        return;
                    }
                    let c = std::str::from_utf8(&buf[i..i + len])
                        .ok()
                        .and_then(|s| s.chars().next())
                        .unwrap_or('\u{fffd}');
                    self.put(c);
                    i += len;
                }
            }
        }
    }
}

fn utf8_len(b: u8) -> usize {
    match b {
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 1,
    }
}

/// Length of the escape sequence at the start of `s`, `None` when it is
/// incomplete.
fn skip_escape(s: &[u8]) -> Option<usize> {
    match s.get(1)? {
        b'[' => {
            let end = s[2..].iter().position(|c| (0x40..=0x7e).contains(c))?;
            Some(end + 3)
        }
        b']' => {
            let mut i = 2;
            while i < s.len() {
                if s[i] == 0x07 {
                    return Some(i + 1);
                }
                if s[i] == 0x1b && s.get(i + 1) == Some(&b'\\') {
                    return Some(i + 2);
                }
                i += 1;
            }
            None
        }
        b'(' | b')' => s.get(2).map(|_| 3),
        _ => Some(2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(t: &Vt100) -> Vec<String> {
        t.content()
            .iter()
            .map(|r| r.iter().collect::<String>().trim_end().to_string())
            .collect()
    }

    #[test]
    fn wraps_scrolls_and_returns() {
        let mut t = Vt100::new(3, 5);
        t.write(b"abcdefg\n12\r3\n\x1b[31mx\x1b[0my\n");
        assert_eq!(rows(&t), vec!["fg", "32", "xy"]);
        assert_eq!(t.used_height(), 3);
        t.write(b"z");
        assert_eq!(rows(&t), vec!["32", "xy", "z"]);
        t.resize(2, 3);
        assert_eq!(rows(&t), vec!["32", "xy"]);
    }

    #[test]
    fn split_utf8_and_escapes() {
        let mut t = Vt100::new(2, 10);
        let s = "é\x1b[1m!".as_bytes();
        t.write(&s[..1]);
        t.write(&s[1..4]);
        t.write(&s[4..]);
        assert_eq!(rows(&t)[0], "é!");
    }
}
