// The flow being edited, as a YAML document: outline edits change the document in place (so
// comments and the rest of the file survive) and the YAML text is regenerated from it.
import { isMap, isScalar, isSeq, parseDocument } from '/admin/vendor/yaml/index.js';

const stepDefaults = {
  message: () => ({ kind: 'message', text: '新消息' }),
  nps: () => ({ kind: 'nps', text: '如果满分10分，您有多大可能把我们推荐给亲友？' }),
  csat: () => ({ kind: 'csat', touchpoint: '新环节', text: '您对这个环节满意吗？' }),
  rating: () => ({ kind: 'rating', min: 1, max: 5, text: '请打分（1-5）' }),
  repurchase: () => ({ kind: 'repurchase', text: '以后还会再来吗？' }),
  choice: () => ({ kind: 'choice', text: '请选择：', options: [{ id: 'a', label: '选项一' }, { id: 'b', label: '选项二' }] }),
  text: () => ({ kind: 'text', text: '新问题？' }),
  end: () => ({ kind: 'end', text: '感谢您的反馈！' }),
};
export const stepKinds = Object.keys(stepDefaults);

export class FlowModel {
  constructor(source) {
    this.load(source);
  }

  /** Replaces the document with `source` (typed in the YAML editor). */
  load(source) {
    this.source = source;
    this.doc = parseDocument(source);
    this.ok = this.doc.errors.length === 0;
    this.data = null;
    if (this.ok) {
      try {
        this.data = this.doc.toJS({ maxAliasCount: 100 });
      } catch {
        this.ok = false;
      }
    }
  }

  /** The steps as plain objects ([] when the YAML is broken or has none). */
  steps() {
    const steps = this.data && Array.isArray(this.data.steps) ? this.data.steps : [];
    return steps.map((s) => (s && typeof s === 'object' ? s : {}));
  }

  title() {
    return this.data && typeof this.data.title === 'string' ? this.data.title : '';
  }

  /** The editable step list node, or null when the outline cannot edit this document. */
  stepSeq() {
    if (!this.ok || !isMap(this.doc.contents)) return null;
    const seq = this.doc.get('steps', true);
    return isSeq(seq) ? seq : null;
  }

  commit() {
    this.source = this.doc.toString({ lineWidth: 0 });
    this.data = this.doc.toJS({ maxAliasCount: 100 });
  }

  setTitle(value) {
    this.doc.set('title', value);
    this.commit();
  }

  setStepField(i, field, value) {
    if (value === '' && field !== 'text') this.doc.deleteIn(['steps', i, field]);
    else this.doc.setIn(['steps', i, field], value);
    this.commit();
  }

  setOptionLabel(i, j, label) {
    this.doc.setIn(['steps', i, 'options', j, 'label'], label);
    this.commit();
  }

  addOption(i) {
    const ids = new Set((this.steps()[i].options || []).map((o) => o && o.id));
    let n = 1;
    while (ids.has(`opt${n}`)) n++;
    const options = this.doc.getIn(['steps', i, 'options'], true);
    if (!isSeq(options)) return;
    options.items.push(this.doc.createNode({ id: `opt${n}`, label: `选项${n}` }));
    this.commit();
  }

  removeOption(i, j) {
    const options = this.doc.getIn(['steps', i, 'options'], true);
    if (!isSeq(options)) return;
    options.items.splice(j, 1);
    this.commit();
  }

  /** The catalogue items as plain objects ([] when there is none). */
  catalog() {
    const items = this.data && Array.isArray(this.data.catalog) ? this.data.catalog : [];
    return items.map((c) => (c && typeof c === 'object' ? c : {}));
  }

  /** Sets `id` or `name` of catalogue item j. */
  setCatalogField(j, field, value) {
    this.doc.setIn(['catalog', j, field], value);
    this.commit();
  }

  /** Sets item j's synonyms from "热玛奇、thermage" (comma or 、 separated); none removes the key. */
  setCatalogSynonyms(j, text) {
    const words = text
      .split(/[,，、;；]/)
      .map((w) => w.trim())
      .filter((w) => w !== '');
    if (words.length === 0) this.doc.deleteIn(['catalog', j, 'synonyms']);
    else {
      const node = this.doc.createNode(words);
      node.flow = true; // [a, b] on one line, as the shipped flows write it
      this.doc.setIn(['catalog', j, 'synonyms'], node);
    }
    this.commit();
  }

  /** Adds an item at the end of the catalogue, creating `catalog:` just before `steps:` if needed. */
  addCatalogItem() {
    if (!this.ok || !isMap(this.doc.contents)) return;
    const ids = new Set(this.catalog().map((c) => c.id));
    let n = ids.size + 1;
    while (ids.has(`item${n}`)) n++;
    const item = { id: `item${n}`, name: `新项目${n}` };
    const seq = this.doc.get('catalog', true);
    if (isSeq(seq)) seq.items.push(this.doc.createNode(item));
    else {
      const pairs = this.doc.contents.items;
      const at = pairs.findIndex((p) => isScalar(p.key) && p.key.value === 'steps');
      pairs.splice(at < 0 ? pairs.length : at, 0, this.doc.createPair('catalog', [item]));
    }
    this.commit();
  }

  removeCatalogItem(j) {
    const seq = this.doc.get('catalog', true);
    if (!isSeq(seq)) return;
    seq.items.splice(j, 1);
    if (seq.items.length === 0) this.doc.delete('catalog');
    this.commit();
  }

  moveStep(i, delta) {
    const seq = this.stepSeq();
    const j = i + delta;
    if (!seq || j < 0 || j >= seq.items.length) return;
    const [item] = seq.items.splice(i, 1);
    seq.items.splice(j, 0, item);
    this.commit();
  }

  deleteStep(i) {
    const seq = this.stepSeq();
    if (!seq) return;
    seq.items.splice(i, 1);
    this.commit();
  }

  /** Adds a step of `kind` after step `i`; when step i names its `next`, the new step goes in between. */
  addStep(i, kind) {
    const seq = this.stepSeq();
    if (!seq) return null;
    const taken = new Set(this.steps().map((s) => s.id));
    let n = seq.items.length + 1;
    while (taken.has(`step${n}`)) n++;
    const id = `step${n}`;
    const step = { id, ...stepDefaults[kind]() };
    const before = this.steps()[i];
    if (before && typeof before.next === 'string' && kind !== 'end') step.next = before.next;
    seq.items.splice(i + 1, 0, this.doc.createNode(step));
    if (before && typeof before.next === 'string') this.doc.setIn(['steps', i, 'next'], id);
    this.commit();
    return id;
  }

  /** Sets where a step goes: `next` (null = the following step), a branch's goto, or the branch default. */
  setRoute(i, which, target) {
    if (which === 'next') {
      if (target === null) this.doc.deleteIn(['steps', i, 'next']);
      else this.doc.setIn(['steps', i, 'next'], target);
    } else if (which === 'default') this.doc.setIn(['steps', i, 'default'], target);
    else this.doc.setIn(['steps', i, 'branch', which, 'goto'], target);
    this.commit();
  }
}
