/// Help, details, dialogs and reviews, drawn over the panes from their laid-out box.
enum OverlayRenderer {
    static func draw(_ grid: inout Grid, _ box: OverlayBox, scroll: Int, theme: Theme) {
        let (x, y, width, height) = (box.rect.x, box.rect.y, box.rect.width, box.rect.height)
        let visible = box.visible
        let first = min(scroll, box.maxScroll)
        for row in 0..<height {
            grid.fill(x: x, y: y + row, width: width, style: .normal)
        }
        grid.put(theme.topLeft + String(repeating: theme.horizontal, count: width - 2) + theme.topRight, x: x, y: y, style: .role(.accent))
        grid.put(" \(box.title) ", x: x + 2, y: y, style: .role(.title, bold: true), maxWidth: width - 4)
        for row in 1..<(height - 1) {
            grid.put(theme.vertical, x: x, y: y + row, style: .role(.accent))
            grid.put(theme.vertical, x: x + width - 1, y: y + row, style: .role(.accent))
        }
        grid.put(theme.bottomLeft + String(repeating: theme.horizontal, count: width - 2) + theme.bottomRight, x: x, y: y + height - 1, style: .role(.accent))
        let more = box.lines.count > visible ? " \(first + 1)-\(min(box.lines.count, first + visible))/\(box.lines.count)" : ""
        grid.put(" \(box.footer)\(more) ", x: x + 2, y: y + height - 1, style: .role(.dim), maxWidth: width - 4)
        for index in 0..<visible {
            let lineIndex = first + index
            guard lineIndex < box.lines.count else { break }
            grid.put(DisplayWidth.truncate(box.lines[lineIndex], to: box.contentWidth, ellipsis: theme.ellipsis), x: x + 2, y: y + 2 + index,
                     style: .normal, maxWidth: box.contentWidth)
        }
        for (index, line) in box.pinned.enumerated() {
            grid.put(DisplayWidth.truncate(line, to: box.contentWidth, ellipsis: theme.ellipsis), x: x + 2, y: y + 2 + visible + index,
                     style: .role(.accent, bold: true), maxWidth: box.contentWidth)
        }
    }
}
