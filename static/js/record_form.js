// Record form: show only the parts that the chosen kind of record takes. Without this script every part is
// shown and the server still refuses what does not fit, so the form works without JavaScript too.
(() => {
  const form = document.querySelector("form.record-form");
  const data = document.getElementById("kind-rules");
  if (!form || !data) return;
  const rules = JSON.parse(data.textContent);
  const kind = form.querySelector("[name=kind]");
  const radios = [...form.querySelectorAll("input[name=mode]")];
  const part = (name) => form.querySelector(`[data-when="${name}"]`);

  // A kind's usual form is the first it lists (mentoring/kinds.py: a dorm visit meets a room of students, a
  // selection meeting names none): checked when the kind is chosen, or on opening when nothing is checked yet (a
  // form sent back with an error keeps what was chosen).
  function apply(event) {
    const rule = rules[kind.value];
    if (!rule) return;
    const kindChanged = event && event.target === kind;
    radios.forEach((radio) => {
      const allowed = rule.modes.includes(radio.value);
      radio.closest("label").hidden = !allowed;
      if ((!allowed || kindChanged) && radio.checked) radio.checked = false;
    });
    let chosen = radios.find((radio) => radio.checked);
    if (!chosen) {
      chosen = radios.find((radio) => radio.value === rule.modes[0]);
      if (chosen) chosen.checked = true;
    }
    const mode = chosen ? chosen.value : "";
    // Class events count for the class: naming students is not needed there.
    part("students").hidden = !["one", "group"].includes(mode);
    part("class").hidden = mode !== "class";
    part("colleague").hidden = mode !== "colleague";
    part("topics").hidden = !rule.topics;
  }

  // Filter the student picker by name or number; matching groups open.
  const filter = form.querySelector("[data-student-filter]");
  if (filter) {
    filter.addEventListener("input", () => {
      const term = filter.value.trim().toLowerCase();
      form.querySelectorAll(".student-group").forEach((group) => {
        let shown = 0;
        group.querySelectorAll("label.choice:not(.select-all)").forEach((label) => {
          const match = !term || label.textContent.toLowerCase().includes(term);
          label.hidden = !match;
          if (match) shown += 1;
        });
        group.hidden = shown === 0;
        if (term && shown) group.open = true;
      });
    });
  }

  kind.addEventListener("change", apply);
  radios.forEach((radio) => radio.addEventListener("change", apply));
  apply();
})();
