//! Go's `text/tabwriter` without flags (Go 1.21, as buildx 0.13.1 is
//! built with), configured as buildx's `du` and `prune` configure it, and
//! as the docker CLI's table formatter configures its copy of it
//! (`cli/command/formatter/tabwriter`, docker/cli v26 as vendored by
//! buildx 0.13.1) for `ls`.

/// Go's `text/tabwriter` (no flags): tab-terminated cells, aligned per
/// column block.
pub(crate) struct TabWriter {
    minwidth: usize,
    tabwidth: usize,
    padding: usize,
    padchar: char,
    lines: Vec<Vec<String>>,
}

impl TabWriter {
    /// `tabwriter.NewWriter(w, 1, 8, 1, '\t', 0)` (buildx du/prune).
    pub(crate) fn go_du() -> Self {
        TabWriter {
            minwidth: 1,
            tabwidth: 8,
            padding: 1,
            padchar: '\t',
            lines: Vec::new(),
        }
    }

    /// `tabwriter.NewWriter(w, minwidth, tabwidth, padding, padchar, 0)`.
    pub(crate) fn new(minwidth: usize, tabwidth: usize, padding: usize, padchar: char) -> Self {
        TabWriter {
            minwidth,
            tabwidth,
            padding,
            padchar,
            lines: Vec::new(),
        }
    }

    /// `tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)` (docker CLI tables).
    pub(crate) fn docker_table() -> Self {
        TabWriter {
            minwidth: 10,
            tabwidth: 1,
            padding: 3,
            padchar: ' ',
            lines: Vec::new(),
        }
    }

    /// Adds one line (without its newline).
    pub(crate) fn line(&mut self, l: &str) {
        self.lines.push(l.split('\t').map(str::to_string).collect());
    }

    /// Formats every line added.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        let mut widths = Vec::new();
        self.format(&mut out, &mut widths, 0, self.lines.len());
        out
    }

    fn format(&self, out: &mut String, widths: &mut Vec<usize>, line0: usize, line1: usize) {
        let column = widths.len();
        let mut start = line0;
        let mut this = line0;
        while this < line1 {
            // Cells terminated by a tab: all but the last of a line.
            if column + 1 >= self.lines[this].len() {
                this += 1;
                continue;
            }
            self.write_lines(out, widths, start, this);
            start = this;
            let mut width = self.minwidth;
            while this < line1 && column + 1 < self.lines[this].len() {
                let w = self.lines[this][column].chars().count() + self.padding;
                width = width.max(w);
                this += 1;
            }
            widths.push(width);
            self.format(out, widths, start, this);
            widths.pop();
            start = this;
        }
        self.write_lines(out, widths, start, line1);
    }

    fn write_lines(&self, out: &mut String, widths: &[usize], line0: usize, line1: usize) {
        for line in &self.lines[line0..line1] {
            for (j, cell) in line.iter().enumerate() {
                out.push_str(cell);
                if j < widths.len() && j + 1 < line.len() {
                    self.pad(out, cell.chars().count(), widths[j]);
                }
            }
            out.push('\n');
        }
    }

    fn pad(&self, out: &mut String, textw: usize, cellw: usize) {
        if self.padchar == '\t' {
            let cellw = cellw.div_ceil(self.tabwidth) * self.tabwidth;
            let n = cellw.saturating_sub(textw);
            for _ in 0..n.div_ceil(self.tabwidth) {
                out.push('\t');
            }
        } else {
            for _ in textw..cellw {
                out.push(self.padchar);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabwriter_matches_buildx_du() {
        let mut t = TabWriter::go_du();
        t.line("ID\tRECLAIMABLE\tSIZE\tLAST ACCESSED");
        t.line(&format!(
            "{:<40}\t{:<5}\t{:<10}\t{}",
            "xsgagu9yq7t5l3uirdixl2y87*", true, "69B", "6 seconds ago"
        ));
        assert_eq!(
            t.render(),
            "ID\t\t\t\t\t\tRECLAIMABLE\tSIZE\t\tLAST ACCESSED\n\
             xsgagu9yq7t5l3uirdixl2y87*              \ttrue \t\t69B       \t6 seconds ago\n"
        );
        let mut s = TabWriter::go_du();
        s.line("Shared:\t6B");
        s.line("Private:\t115B");
        s.line("Reclaimable:\t121B");
        assert_eq!(
            s.render(),
            "Shared:\t\t6B\nPrivate:\t115B\nReclaimable:\t121B\n"
        );
    }

    #[test]
    fn tabwriter_matches_buildx_ls() {
        let mut t = TabWriter::docker_table();
        t.line("NAME/NODE\tDRIVER/ENDPOINT\tSTATUS\tBUILDKIT\tPLATFORMS");
        t.line("default*\tdocker\t\t\t");
        t.line(" \\_ default\t \\_ default\trunning\tv0.0.0+unknown\tlinux/amd64");
        assert_eq!(
            t.render(),
            "NAME/NODE     DRIVER/ENDPOINT   STATUS    BUILDKIT         PLATFORMS\n\
             default*      docker                                       \n \
             \\_ default    \\_ default       running   v0.0.0+unknown   linux/amd64\n"
        );
    }
}
