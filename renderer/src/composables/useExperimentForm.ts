import { computed, onMounted, reactive, ref } from 'vue';
import type { RunConfig } from '../../../contract/run-config';
import { errorMessage } from '../api/api-error';
import { DEFAULT_FORM, formFromConfig, validateForm, type ExperimentForm, type FieldErrors } from '../forms/experiment-form';
import { applyPreset, type Preset } from '../forms/presets';
import { DEFAULT_SWEEP, expandSweep, type SweepForm } from '../forms/sweep';
import { useApi } from './api-context';
import { useDatasets } from './useDatasets';

/**
 * The "new experiment" form's state: filled from a run ("edit & run") or a dataset, validated as
 * the user types, and launched as one run or a sweep. Messages appear once the user has touched it.
 */
export function useExperimentForm(start: { from: number | null; data: string | null }) {
  const api = useApi();
  const { catalog } = useDatasets();
  const form = reactive<ExperimentForm>({ ...DEFAULT_FORM, ...(start.data ? { data: start.data } : {}) });
  const sweep = reactive<SweepForm>({ ...DEFAULT_SWEEP, strategies: [...DEFAULT_SWEEP.strategies] });
  const touched = ref(false);
  const submitting = ref(false);
  const serverError = ref<string | null>(null);
  /** 'remote': the runs go to the queue's workers */
  const runOn = ref<'local' | 'remote'>('local');

  onMounted(async () => {
    if (start.from === null) return;
    try {
      const run = await api.call('runs.get', { id: start.from });
      Object.assign(form, formFromConfig(run.config), { name: `${run.name} (copy)` });
    } catch (e) {
      serverError.value = errorMessage(e);
    }
  });

  const result = computed(() => validateForm(form));
  const sweepResult = computed(() => (sweep.enabled ? expandSweep(form, sweep) : null));
  const errors = computed<FieldErrors>(() => {
    if (!touched.value) return {};
    if (!sweep.enabled) return result.value.errors;
    // strategy, students and seed come from the sweep, which reports on them itself
    const sweepErrors = sweepResult.value && !sweepResult.value.ok ? sweepResult.value.errors : {};
    return { ...sweepErrors, ...result.value.errors, strategy: undefined, students: undefined, seed: undefined };
  });
  const invalid = computed(() => Object.values(errors.value).some(Boolean));
  const runCount = computed(() => (sweepResult.value?.ok ? sweepResult.value.configs.length : sweep.enabled ? 0 : 1));
  const ppiAvailable = computed(() => catalog.value.some((c) => c.name === 'ppi' && c.available));

  function choosePreset(preset: Preset): void {
    Object.assign(form, applyPreset(form, preset, { ppiAvailable: ppiAvailable.value }));
  }

  /** Queues the run(s); the new ids, or null when the form is invalid or the server refused. */
  async function launch(): Promise<{ ids: number[]; group: string | null } | null> {
    touched.value = true;
    serverError.value = null;
    let configs: RunConfig[];
    let group: string | undefined;
    if (sweep.enabled) {
      const expanded = expandSweep(form, sweep);
      if (!expanded.ok) return null;
      configs = expanded.configs;
      group = expanded.group ?? `sweep ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
    } else {
      const single = validateForm(form);
      if (!single.ok) return null;
      configs = [single.config];
    }
    submitting.value = true;
    try {
      const { ids } = await api.call('runs.create', { configs, ...(group ? { group } : {}), ...(runOn.value === 'remote' ? { runOn: runOn.value } : {}) });
      return { ids, group: group ?? null };
    } catch (e) {
      serverError.value = errorMessage(e);
      return null;
    } finally {
      submitting.value = false;
    }
  }

  return { form, sweep, catalog, touched, submitting, serverError, runOn, errors, invalid, runCount, choosePreset, launch };
}
