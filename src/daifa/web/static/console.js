// Small helpers for the daifa console; Alpine.js and htmx do the rest.
window.daifaCopy = async function (field) {
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
};
