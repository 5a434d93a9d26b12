// Controls made from a JSON schema (the subset Thing Descriptions use): number and integer (a slider plus a field
// when both bounds are known), boolean (a switch), enum (a select), string (pattern and length), object (a group of
// controls) and array (a list with add and remove). Anything else is edited as JSON text.

import { h, uid } from './util.js';

/**
 * Creates a control for a value of `schema`, labelled `label`.
 * Options: `onCommit(value)` is called when a person has finished changing a scalar value (writes a property);
 * `optional` lets a number or string be left empty (its value is then undefined).
 * Returns `{ element, get(), set(value), busy() }`; `get()` throws an Error with a message for people when the entry
 * cannot be read (e.g. malformed JSON); `busy()` is true while the person is using the control.
 */
export function createEditor(schema, label, options = {}) {
  schema = schema || {};
  if (Array.isArray(schema.enum)) return enumEditor(schema, label, options);
  switch (schema.type) {
    case 'number':
    case 'integer':
      return numberEditor(schema, label, options);
    case 'boolean':
      return booleanEditor(schema, label, options);
    case 'string':
      return stringEditor(schema, label, options);
    case 'object':
      if (schema.properties) return objectEditor(schema, label, options);
      break;
    case 'array':
      if (schema.items && !Array.isArray(schema.items)) return arrayEditor(schema, label, options);
      break;
    default:
      break;
  }

  return jsonEditor(schema, label, options);
}

function describedBy(schema) {
  const hints = [];
  if (schema.description) hints.push(schema.description);
  if (schema.minimum !== undefined) hints.push(`at least ${schema.minimum}`);
  if (schema.maximum !== undefined) hints.push(`at most ${schema.maximum}`);
  if (schema.minLength !== undefined) hints.push(`at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) hints.push(`at most ${schema.maxLength} characters`);
  if (schema.pattern) hints.push(`matching ${schema.pattern}`);
  if (!hints.length) return null;
  return h('span', { class: 'hint', id: uid('hint'), text: hints.join('; ') });
}

function field(label, control, hint, ...extra) {
  if (hint) control.setAttribute('aria-describedby', hint.id);
  return h('div', { class: 'field' }, h('label', { for: control.id, text: label }), h('div', { class: 'control' }, control, extra), hint);
}

function isFocused(...elements) {
  return elements.some(el => el && (el === document.activeElement || el.contains(document.activeElement)));
}

/** Whether a control that keeps focus after use (a slider, a select) was moved in the last moments. */
function recentlyMoved(control) {
  return isFocused(control) && Date.now() - (Number(control.dataset.moved) || 0) < 1500;
}

function markMoves(control) {
  const mark = () => { control.dataset.moved = String(Date.now()); };
  control.addEventListener('input', mark);
  control.addEventListener('change', mark);
  control.addEventListener('pointerdown', mark);
  control.addEventListener('keydown', mark);
}

function numberEditor(schema, label, { onCommit, optional }) {
  const integer = schema.type === 'integer';
  const step = schema.multipleOf ?? (integer ? 1 : 'any');
  const bounded = Number.isFinite(schema.minimum) && Number.isFinite(schema.maximum);
  const number = h('input', {
    type: 'number', id: uid('num'), step, min: schema.minimum, max: schema.maximum,
    inputmode: integer ? 'numeric' : 'decimal',
  });
  const hint = describedBy(schema);
  let slider = null;
  if (bounded) {
    // The slider moves in steps of a thousandth of the range for real numbers, so it stays smooth.
    const sliderStep = step === 'any' ? (schema.maximum - schema.minimum) / 1000 : step;
    slider = h('input', { type: 'range', id: uid('range'), min: schema.minimum, max: schema.maximum, step: sliderStep, 'aria-label': label });
    if (hint) slider.setAttribute('aria-describedby', hint.id);
    markMoves(slider);
    slider.addEventListener('input', () => { number.value = slider.value; });
    slider.addEventListener('change', () => { number.value = slider.value; commit(); });
  }

  number.addEventListener('change', () => {
    if (slider && number.value !== '') slider.value = number.value;
    commit();
  });

  const read = () => {
    if (number.value === '') {
      if (optional) return undefined;
      throw new Error(`${label}: enter a number.`);
    }
    const value = Number(number.value);
    if (!Number.isFinite(value)) throw new Error(`${label}: '${number.value}' is not a number.`);
    return value;
  };

  function commit() {
    if (!onCommit) return;
    try {
      onCommit(read());
    } catch {
      // Nothing to send until the field holds a number.
    }
  }

  const unit = schema.unit ? h('span', { class: 'unit', text: schema.unit }) : null;
  let element;
  if (slider) {
    number.setAttribute('aria-label', label);
    element = h('div', { class: 'field' },
      h('label', { for: slider.id, text: label }),
      h('div', { class: 'control slider' }, slider, number, unit),
      hint);
  } else {
    element = field(label, number, hint, unit);
  }

  return {
    element,
    get: read,
    set(value) {
      if (typeof value !== 'number') return;
      number.value = String(value);
      if (slider) slider.value = String(value);
    },
    // A value from the server does not overwrite a number being typed or a slider being moved.
    busy: () => isFocused(number) || (slider !== null && recentlyMoved(slider)),
  };
}

function booleanEditor(schema, label, { onCommit }) {
  const box = h('input', { type: 'checkbox', role: 'switch', id: uid('bool') });
  box.addEventListener('change', () => onCommit?.(box.checked));
  return {
    element: field(label, box, describedBy(schema)),
    get: () => box.checked,
    set(value) { box.checked = value === true; },
    busy: () => false,
  };
}

function enumEditor(schema, label, { onCommit, optional }) {
  const select = h('select', { id: uid('enum') });
  if (optional) select.append(h('option', { value: '', text: '(default)' }));
  schema.enum.forEach((value, index) => select.append(h('option', { value: String(index), text: String(value) })));
  markMoves(select);
  const read = () => (select.value === '' ? undefined : schema.enum[Number(select.value)]);
  select.addEventListener('change', () => onCommit?.(read()));
  return {
    element: field(label, select, describedBy(schema)),
    get: read,
    set(value) {
      const index = schema.enum.findIndex(option => JSON.stringify(option) === JSON.stringify(value));
      if (index >= 0) select.value = String(index);
    },
    busy: () => recentlyMoved(select),
  };
}

function stringEditor(schema, label, { onCommit, optional }) {
  const input = h('input', {
    type: 'text', id: uid('text'), pattern: schema.pattern, minlength: schema.minLength, maxlength: schema.maxLength,
  });
  input.addEventListener('change', () => onCommit?.(input.value));
  return {
    element: field(label, input, describedBy(schema)),
    get: () => (input.value === '' && optional ? undefined : input.value),
    set(value) { if (typeof value === 'string') input.value = value; },
    busy: () => isFocused(input),
  };
}

function objectEditor(schema, label, { optional }) {
  const required = new Set(schema.required || []);
  const children = Object.entries(schema.properties).map(([name, child]) => ({
    name,
    editor: createEditor(child, child.title || name, { optional: optional || !required.has(name) }),
  }));
  const element = h('fieldset', { class: 'group' }, h('legend', { text: label }), children.map(c => c.editor.element));
  return {
    element,
    get() {
      const value = {};
      for (const { name, editor } of children) {
        const item = editor.get();
        if (item !== undefined) value[name] = item;
      }
      return value;
    },
    set(value) {
      if (!value || typeof value !== 'object') return;
      for (const { name, editor } of children) editor.set(value[name]);
    },
    busy: () => isFocused(element),
  };
}

function arrayEditor(schema, label) {
  const items = [];
  const list = h('ol', { class: 'items' });
  const add = h('button', { type: 'button', class: 'secondary', text: `Add to ${label}`, onclick: () => addItem(undefined) });
  const element = h('fieldset', { class: 'group' }, h('legend', { text: label }), list, add);

  function addItem(value) {
    const editor = createEditor(schema.items, `${label} item ${items.length + 1}`, {});
    const entry = { editor };
    const remove = h('button', {
      type: 'button', class: 'secondary', text: 'Remove', 'aria-label': `Remove ${label} item ${items.length + 1}`,
      onclick: () => { items.splice(items.indexOf(entry), 1); entry.li.remove(); },
    });
    entry.li = h('li', {}, editor.element, remove);
    items.push(entry);
    list.append(entry.li);
    if (value !== undefined) editor.set(value);
  }

  return {
    element,
    get: () => items.map(entry => entry.editor.get()),
    set(value) {
      if (!Array.isArray(value)) return;
      items.splice(0).forEach(entry => entry.li.remove());
      value.forEach(addItem);
    },
    busy: () => isFocused(element),
  };
}

function jsonEditor(schema, label, { optional }) {
  const area = h('textarea', { id: uid('json'), rows: 3, spellcheck: 'false' });
  return {
    element: field(label, area, describedBy({ ...schema, description: [schema.description, 'as JSON'].filter(Boolean).join(', ') })),
    get() {
      if (area.value.trim() === '' && optional) return undefined;
      try {
        return JSON.parse(area.value);
      } catch (error) {
        throw new Error(`${label}: not valid JSON (${error.message}).`);
      }
    },
    set(value) { area.value = JSON.stringify(value, null, 2); },
    busy: () => isFocused(area),
  };
}
