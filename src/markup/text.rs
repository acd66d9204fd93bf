//! Plain text: every non-blank line is a block, and a blank line ends a
//! paragraph group. Ad copy and newsletters are written a phrase per line, so
//! a line end is a sentence end.

use crate::prose::{BlockKind, Prose, ProseBuilder};

/// Extracts prose from plain text; the prose is the text itself.
pub fn extract(src: &str) -> Prose {
    let mut b = ProseBuilder::new();
    let mut pos = 0;
    let mut previous_blank = true;
    for line in src.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        if trimmed.trim_end().is_empty() {
            previous_blank = true;
        } else {
            let lead = body.len() - trimmed.len();
            b.continue_group = !previous_blank;
            b.start_block(BlockKind::Line, pos + lead);
            b.push_copy(pos + lead, trimmed.trim_end());
            b.end_block(pos + body.len());
            previous_blank = false;
        }
        pos += line.len();
    }
    b.finish(src.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_blocks_and_blank_lines_split_groups() {
        let src = "【発毛】\r\n  必ず生える！\n\n安全です\n";
        let p = extract(src);
        p.check_invariants(src).unwrap();
        assert_eq!(p.text, "【発毛】\n必ず生える！\n安全です\n");
        assert_eq!(p.blocks.len(), 3);
        assert_eq!(p.blocks[0].group, p.blocks[1].group);
        assert_ne!(p.blocks[1].group, p.blocks[2].group);
        let r = p.blocks[1].range.clone();
        assert_eq!(&src[p.source_range(r)], "必ず生える！");
    }
}
