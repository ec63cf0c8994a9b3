import { computed, defineComponent, h, onMounted, reactive, ref, type PropType, type VNode } from 'vue';
import type { CatalogItem } from '../../../contract/api';
import { errorMessage } from '../api/api-error';
import { useApi } from '../composables/api-context';
import {
  applyPreset,
  BACKENDS,
  DEFAULT_FORM,
  DEFAULT_SWEEP,
  expandSweep,
  formFromConfig,
  KERNELS,
  MODELS,
  PRESETS,
  STRATEGIES,
  validateForm,
  type ExperimentForm,
  type FieldErrors,
  type SweepForm,
} from '../forms/experiment-form';
import type { Route } from '../router';

type NumberKey = { [K in keyof ExperimentForm]: ExperimentForm[K] extends number ? K : never }[keyof ExperimentForm];
type BooleanKey = { [K in keyof ExperimentForm]: ExperimentForm[K] extends boolean ? K : never }[keyof ExperimentForm];

const STRATEGY_HELP: Record<string, string> = {
  independent: 'no distillation: K students trained side by side (baseline)',
  oc: 'one-to-one: student layer l learns from peer layer l',
  alignahead: 'align-ahead: student layer l+1 learns from peer layer l, last from first (the paper)',
  alignbehind: 'align-behind: student layer l learns from peer layer l+1',
  dml: 'deep mutual learning on the logits only',
  custom: 'your own layer pairs, e.g. 2<-1,1<-2',
};

/** The "new experiment" form: presets, validation as you type, and a sweep launcher. */
export default defineComponent({
  name: 'NewExperimentView',
  props: {
    from: { type: Number as PropType<number | null>, default: null },
    data: { type: String as PropType<string | null>, default: null },
    navigate: { type: Function as PropType<(route: Route) => void>, required: true },
  },
  setup(props) {
    const api = useApi();
    const form = reactive<ExperimentForm>({ ...DEFAULT_FORM, ...(props.data ? { data: props.data } : {}) });
    const sweep = reactive<SweepForm>({ ...DEFAULT_SWEEP, strategies: [...DEFAULT_SWEEP.strategies] });
    const touched = ref(false);
    const submitting = ref(false);
    const serverError = ref<string | null>(null);
    const catalog = ref<CatalogItem[]>([]);

    onMounted(async () => {
      try {
        catalog.value = await api.call('datasets.catalog', {});
      } catch {
        // the free-text field still takes any dataset reference
      }
      if (props.from !== null) {
        try {
          const run = await api.call('runs.get', { id: props.from });
          Object.assign(form, formFromConfig(run.config));
          form.name = `${run.name} (copy)`;
        } catch (e) {
          serverError.value = errorMessage(e);
        }
      }
    });

    const result = computed(() => validateForm(form));
    const sweepResult = computed(() => (sweep.enabled ? expandSweep(form, sweep) : null));
    const errors = computed<FieldErrors>(() => {
      if (!touched.value) return {};
      const sweepErrors = sweepResult.value && !sweepResult.value.ok ? sweepResult.value.errors : {};
      return sweep.enabled ? { ...sweepErrors, ...(result.value.ok ? {} : result.value.errors), strategy: undefined, students: undefined, seed: undefined } : result.value.errors;
    });
    const runCount = computed(() => (sweepResult.value?.ok ? sweepResult.value.configs.length : sweep.enabled ? 0 : 1));
    const ppiAvailable = computed(() => catalog.value.some((c) => c.name === 'ppi' && c.available));

    async function submit(event?: Event): Promise<void> {
      event?.preventDefault();
      touched.value = true;
      serverError.value = null;
      let configs;
      let group: string | undefined;
      if (sweep.enabled) {
        const expanded = expandSweep(form, sweep);
        if (!expanded.ok) return;
        configs = expanded.configs;
        group = expanded.group ?? `sweep ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
      } else {
        const single = validateForm(form);
        if (!single.ok) return;
        configs = [single.config];
      }
      submitting.value = true;
      try {
        const { ids } = await api.call('runs.create', group ? { configs, group } : { configs });
        if (ids.length === 1) props.navigate({ view: 'run', id: ids[0] });
        else props.navigate({ view: 'compare', ids, group: group ?? null });
      } catch (e) {
        serverError.value = errorMessage(e);
      } finally {
        submitting.value = false;
      }
    }

    const errorOf = (key: keyof FieldErrors): VNode | null => (errors.value[key] ? h('span', { class: 'field-error', 'data-field-error': key }, errors.value[key]) : null);

    function numberField(key: NumberKey, label: string, attrs: Record<string, unknown> = {}): VNode {
      return h('label', { class: ['field', errors.value[key] ? 'invalid' : ''] }, [
        h('span', { class: 'field-label' }, label),
        h('input', {
          type: 'number',
          name: key,
          value: Number.isNaN(form[key]) ? '' : form[key],
          step: 'any',
          ...attrs,
          'aria-invalid': !!errors.value[key],
          onInput: (e: Event) => {
            const text = (e.target as HTMLInputElement).value;
            form[key] = text.trim() === '' ? Number.NaN : Number(text);
            touched.value = true;
          },
        }),
        errorOf(key),
      ]);
    }

    function selectField<K extends keyof ExperimentForm>(key: K, label: string, options: readonly string[], help?: (value: string) => string): VNode {
      return h('label', { class: ['field', errors.value[key] ? 'invalid' : ''] }, [
        h('span', { class: 'field-label' }, label),
        h(
          'select',
          {
            name: key,
            value: form[key],
            onChange: (e: Event) => {
              (form as Record<K, unknown>)[key] = (e.target as HTMLSelectElement).value;
              touched.value = true;
            },
          },
          options.map((o) => h('option', { value: o, title: help?.(o) }, o)),
        ),
        help ? h('span', { class: 'field-help' }, help(String(form[key]))) : null,
        errorOf(key),
      ]);
    }

    function checkField(key: BooleanKey, label: string, title?: string): VNode {
      return h('label', { class: 'field inline', title }, [
        h('input', { type: 'checkbox', name: key, checked: form[key], onChange: (e: Event) => (form[key] = (e.target as HTMLInputElement).checked) }),
        ` ${label}`,
      ]);
    }

    function textField(key: 'name' | 'data' | 'plan', label: string, attrs: Record<string, unknown> = {}): VNode {
      return h('label', { class: ['field', key === 'data' ? 'wide' : '', errors.value[key] ? 'invalid' : ''] }, [
        h('span', { class: 'field-label' }, label),
        h('input', {
          type: 'text',
          name: key,
          value: form[key],
          ...attrs,
          'aria-invalid': !!errors.value[key],
          onInput: (e: Event) => {
            form[key] = (e.target as HTMLInputElement).value;
            touched.value = true;
          },
        }),
        errorOf(key),
      ]);
    }

    const fieldset = (legend: string, children: (VNode | null)[]) => h('fieldset', [h('legend', legend), h('div', { class: 'fields' }, children)]);

    return () =>
      h('form', { class: 'view form-view', novalidate: true, onSubmit: submit }, [
        h('header', { class: 'view-head' }, [
          h('h2', props.from ? `New experiment from run ${props.from}` : 'New experiment'),
          h(
            'div',
            { class: 'presets', role: 'group', 'aria-label': 'presets' },
            PRESETS.map((preset) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'small',
                  'data-preset': preset.id,
                  title: preset.description,
                  onClick: () => Object.assign(form, applyPreset(form, preset, { ppiAvailable: ppiAvailable.value })),
                },
                preset.label,
              ),
            ),
          ),
        ]),
        fieldset('Data', [
          textField('name', 'Run name', { placeholder: 'optional' }),
          textField('data', 'Dataset', { list: 'dataset-options', placeholder: 'demo, cora, a file path, or csbm:2000:20000:5' }),
          h(
            'datalist',
            { id: 'dataset-options' },
            [...catalog.value.map((c) => h('option', { value: c.name }, `${c.title}${c.available ? '' : ' (not downloaded)'}`)), h('option', { value: 'csbm:300:1500:3:16' }, 'small synthetic graph'), h('option', { value: 'ppi-like' }, 'synthetic PPI-shaped graphs')],
          ),
          selectField('splitKind', 'Split', ['per-class', 'ratio']),
          ...(form.splitKind === 'per-class'
            ? [numberField('trainPerClass', 'Train per class', { min: 1, step: 1 }), numberField('valPerClass', 'Validation per class', { min: 0, step: 1 })]
            : [numberField('trainRatio', 'Train fraction', { min: 0, max: 1, step: 0.05 }), numberField('valRatio', 'Validation fraction', { min: 0, max: 1, step: 0.05 })]),
          numberField('batchGraphs', 'Graphs per batch', { min: 1, step: 1, title: 'multi-graph data (PPI) only' }),
        ]),
        fieldset('Model', [
          selectField('model', 'Architecture', MODELS),
          numberField('layers', 'Hidden layers L', { min: 1, max: 32, step: 1 }),
          numberField('hidden', form.model === 'gat' ? 'Units per head' : 'Hidden units', { min: 1, step: 1 }),
          form.model === 'gat' ? numberField('heads', 'Heads', { min: 1, step: 1 }) : null,
          numberField('dropout', 'Dropout', { min: 0, max: 0.99, step: 0.05 }),
          form.model === 'gat' ? numberField('attentionDropout', 'Attention dropout', { min: 0, max: 0.99, step: 0.05 }) : null,
          form.model === 'sage' ? selectField('aggregator', 'Aggregator', ['mean', 'pool']) : null,
          checkField('residual', 'Residual connections'),
        ]),
        fieldset('Distillation', [
          sweep.enabled ? h('p', { class: 'muted field-help' }, 'Strategy, students and seed come from the sweep below.') : selectField('strategy', 'Strategy', STRATEGIES, (s) => STRATEGY_HELP[s] ?? ''),
          form.strategy === 'custom' || (sweep.enabled && sweep.strategies.includes('custom')) ? textField('plan', 'Plan (student<-peer, 1-based)', { placeholder: '2<-1,1<-2' }) : null,
          sweep.enabled ? null : numberField('students', 'Students K', { min: 1, max: 16, step: 1 }),
          numberField('a', 'Structure weight a', { min: 0, step: 0.1 }),
          selectField('kernelKind', 'Kernel', KERNELS),
          form.kernelKind === 'l1' ? numberField('tau', 'L1 temperature τ', { min: 0, step: 10 }) : null,
          form.kernelKind === 'rbf' ? numberField('sigma', 'RBF width σ', { min: 0, step: 0.1 }) : null,
          numberField('dmlWeight', 'DML weight', { min: 0, step: 0.1 }),
          numberField('deepSupervision', 'Deep supervision β', { min: 0, step: 0.1 }),
          numberField('featureTransfer', 'Feature transfer γ', { min: 0, step: 0.1 }),
          selectField('peerMode', 'Peer targets', ['eval', 'train']),
          checkField('sharedInit', 'Shared initialisation', 'copy one initialisation into every student, as the authors do'),
        ]),
        fieldset('Training', [
          numberField('epochs', 'Epochs', { min: 1, step: 1 }),
          numberField('lr', 'Learning rate', { min: 0, step: 0.001 }),
          numberField('weightDecay', 'Weight decay', { min: 0, step: 0.0001 }),
          sweep.enabled ? null : numberField('seed', 'Seed', { min: 0, step: 1 }),
          numberField('evalEvery', 'Evaluate every', { min: 1, step: 1 }),
          numberField('heatmapEvery', 'Heatmap every (0 = off)', { min: 0, step: 1 }),
          numberField('patience', 'Patience (0 = off)', { min: 0, step: 1 }),
          numberField('checkpointEvery', 'Checkpoint every', { min: 0, step: 1 }),
          selectField('backend', 'Backend', BACKENDS),
        ]),
        h('fieldset', { class: 'sweep' }, [
          h('legend', [h('label', { class: 'inline' }, [h('input', { type: 'checkbox', name: 'sweep', checked: sweep.enabled, onChange: (e: Event) => (sweep.enabled = (e.target as HTMLInputElement).checked) }), ' Sweep: strategies × students × seeds'])]),
          sweep.enabled
            ? h('div', { class: 'fields' }, [
                h('div', { class: 'field wide' }, [
                  h('span', { class: 'field-label' }, 'Strategies'),
                  h(
                    'div',
                    { class: 'chips' },
                    STRATEGIES.map((s) =>
                      h('label', { class: 'inline chip-check', title: STRATEGY_HELP[s] }, [
                        h('input', {
                          type: 'checkbox',
                          name: `sweep-${s}`,
                          checked: sweep.strategies.includes(s),
                          onChange: (e: Event) => (sweep.strategies = (e.target as HTMLInputElement).checked ? [...sweep.strategies, s] : sweep.strategies.filter((x) => x !== s)),
                        }),
                        ` ${s}`,
                      ]),
                    ),
                  ),
                ]),
                h('label', { class: 'field' }, [h('span', { class: 'field-label' }, 'Students (list)'), h('input', { name: 'sweep-students', value: sweep.students, onInput: (e: Event) => (sweep.students = (e.target as HTMLInputElement).value) })]),
                h('label', { class: 'field' }, [h('span', { class: 'field-label' }, 'Seeds (list or range)'), h('input', { name: 'sweep-seeds', value: sweep.seeds, onInput: (e: Event) => (sweep.seeds = (e.target as HTMLInputElement).value) })]),
                h('label', { class: 'field' }, [h('span', { class: 'field-label' }, 'Group name'), h('input', { name: 'sweep-group', value: sweep.group, placeholder: 'sweep + date', onInput: (e: Event) => (sweep.group = (e.target as HTMLInputElement).value) })]),
                errorOf('sweep'),
              ])
            : null,
        ]),
        h('footer', { class: 'form-actions' }, [
          serverError.value ? h('div', { class: 'state error', role: 'alert' }, [h('strong', 'The server refused: '), h('span', { class: 'error-message' }, serverError.value)]) : null,
          touched.value && Object.values(errors.value).some(Boolean) ? h('span', { class: 'error-text', 'data-test': 'form-invalid' }, 'Fix the highlighted fields.') : null,
          h('span', { class: 'spacer' }),
          h('button', { type: 'button', class: 'ghost', onClick: () => props.navigate({ view: 'runs' }) }, 'Cancel'),
          h('button', { type: 'submit', class: 'primary', disabled: submitting.value, 'data-test': 'submit' }, submitting.value ? 'Queuing…' : runCount.value === 1 ? 'Start run' : `Queue ${runCount.value} runs`),
        ]),
      ]);
  },
});
