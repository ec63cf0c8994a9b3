// The one adapter label lives in contract/, where the UI reads it too.
export { adapterLabel, gpuOf } from '../../contract/backend-report';
