// Site-wide behaviour, loaded as a file (the CSP forbids inline scripts).

// A checkbox with data-select-all="G" ticks or clears every checkbox with data-group="G".
document.addEventListener("change", (event) => {
  const toggle = event.target.closest("input[data-select-all]");
  if (!toggle) return;
  const group = toggle.getAttribute("data-select-all");
  document.querySelectorAll(`input[type=checkbox][data-group="${group}"]`).forEach((box) => {
    const label = box.closest("label");
    if (label && label.hidden) return; // a filtered-out student is left as it was
    box.checked = toggle.checked;
  });
});
