/** The README of the GPU check's pack (bench/gpu-check-pack.ts). */
export function packReadme(options: { withCora: boolean }): string {
  return `# Alignahead Workbench: GPU check

Everything a machine with a GPU should run, in one go (under 8 minutes on a GPU):

    node gpu-check.mjs --out gpu-check.json

It prints the adapter, checks every graph op and its gradients on the GPU against the CPU kernels
(tolerance 1e-4), times the cases (Cora GCN, csbm 10k and 50k/1M GAT, a PPI-shaped 4-layer GAT:
2 students, align-ahead) each in a child process, and writes all figures as JSON. Options:
\`--cases cora-gcn,csbm10k-gat,csbm50k-gat,ppi-gat\`, \`--quick\` (3 epochs a case) or \`--epochs N\`,
\`--skip-ops\`, \`--cora FILE\`, \`--budget-s 450\` (total), \`--case-timeout-s 150\`.
${options.withCora ? '`cora.npz` (Cora, from the gnn-benchmark collection) is included.' : 'Cora is not included: pass `--cora FILE` (a gnn-benchmark `cora.npz`) or the Cora case is skipped.'}

Send back the JSON file. A software adapter (lavapipe, SwiftShader) is reported as such: its
times prove nothing about GPU speed.

## What the machine needs

- **Linux x64, glibc ≥ 2.34** (Debian 12, Ubuntu 22.04 or newer): \`dawn.node\` links only libc,
  libm, libstdc++ and libgcc_s.
- **The GPU's Vulkan driver** (an ICD: NVIDIA's driver installs \`/usr/share/vulkan/icd.d/nvidia_icd.json\`;
  AMD and Intel use Mesa's \`mesa-vulkan-drivers\`). A machine with a working GPU usually has it.
- **The Vulkan loader, \`libvulkan.so.1\`.** If \`ldconfig -p | grep libvulkan.so.1\` finds nothing,
  bring Debian's package and unpack it here (no root needed):

      # on a machine with network
      apt-get download libvulkan1            # ~120 kB
      # on the GPU machine, in this folder
      dpkg -x libvulkan1_*.deb vulkan
      export LD_LIBRARY_PATH="$PWD/vulkan/usr/lib/x86_64-linux-gnu:$LD_LIBRARY_PATH"

- **Node.js 20 or newer.** If \`node --version\` fails or is older, bring NodeSource's Node .deb:
  its \`usr/bin/node\` links only libc, libstdc++ and libgcc_s, so unpacked it runs anywhere the
  pack does (Debian's own \`nodejs\` package needs a dozen library packages besides).

      # on a machine with network: the newest nodejs_20.*_amd64.deb (about 30 MB) listed at
      #   https://deb.nodesource.com/node_20.x/pool/main/n/nodejs/
      # (on a machine that has NodeSource's apt source: apt-get download nodejs)
      # on the GPU machine, in this folder
      dpkg -x nodejs_*.deb nodejs
      ./nodejs/usr/bin/node gpu-check.mjs --out gpu-check.json

  The pack (about 24 MB), the Node .deb and libvulkan1 together come to about 55 MB.

  \`dpkg -x\` only unpacks files: it installs nothing and needs no root. If dpkg itself is missing,
  a .deb is an ar archive: \`ar x pkg.deb && tar xf data.tar.*\` does the same.

Check the adapter first: \`node gpu-check.mjs --skip-ops --cases none\` prints it and exits. If it
says "no WebGPU adapter", the loader or the driver is missing (\`VK_ICD_FILENAMES=/path/to/icd.json\`
names a driver explicitly); "software adapter" means Dawn found only a CPU rasteriser.

Licenses of the bundled code: LICENSES/.
`;
}
