// Small helpers for the daifa console; Alpine.js and htmx do the rest.
// The console runs the CSP build of Alpine: attribute expressions may call the methods of the
// components registered here, but not arrow functions or globals (document, setTimeout ...).

async function daifaCopy(field) {
  // Copy a read-only field's text; the Clipboard API needs a secure context, so fall back.
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(field.value);
      return true;
    }
  } catch (e) { /* fall through to the old way */ }
  field.focus();
  field.select();
  try { return document.execCommand("copy"); } catch (e) { return false; }
}

document.addEventListener("alpine:init", () => {
  // A read-only field with a Copy button that says "Copied" for two seconds.
  Alpine.data("daifaCopyField", () => ({
    copied: false,
    async copy() {
      this.copied = await daifaCopy(this.$refs.field);
      setTimeout(() => { this.copied = false; }, 2000);
    },
  }));

  // "Tick all": sets every checkbox under the component that matches the selector.
  Alpine.data("daifaPickAll", () => ({
    tick(selector, checked) {
      this.$root.querySelectorAll(selector).forEach((box) => { box.checked = checked; });
    },
  }));
});
