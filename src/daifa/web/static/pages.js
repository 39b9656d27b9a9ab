// Alpine components of the catalog, dispatch and order pages.

// The rule editor: a SKU or product, and its suppliers in order (first choice, then backups).
// Its starting state comes from a JSON script element, so nothing is built from strings here.
function daifaRuleEditor(dataId) {
  const data = JSON.parse(document.getElementById(dataId).textContent);
  return {
    kind: data.kind || "sku",
    key: data.key || "",
    chosen: data.chosen || [],
    suppliers: data.suppliers || [],
    pick: "",
    available() {
      return this.suppliers.filter((s) => !this.chosen.some((c) => c.id === s.id));
    },
    add() {
      const found = this.suppliers.find((s) => s.id === this.pick);
      if (found && !this.chosen.some((c) => c.id === found.id)) this.chosen.push(found);
      this.pick = "";
    },
    remove(i) { this.chosen.splice(i, 1); },
    up(i) { if (i > 0) this.chosen.splice(i - 1, 2, this.chosen[i], this.chosen[i - 1]); },
    down(i) { if (i < this.chosen.length - 1) this.chosen.splice(i, 2, this.chosen[i + 1], this.chosen[i]); },
    use(kind, key) { this.kind = kind; this.key = key; },
  };
}

document.addEventListener("alpine:init", () => {
  Alpine.data("daifaRuleEditor", daifaRuleEditor);

  // A line split across suppliers: extra rows added with "Split", each removable.
  Alpine.data("daifaSplitRows", () => ({
    extra: 0,
    drop(button) { button.closest(".assign-row").remove(); },
  }));
});
