/**
 * What CPUID reports: a plain x86-64 CPU with exactly the features the emulator implements.
 * Vendor GenuineIntel, family 6. Baseline: FPU (the x87, 80-bit exact) TSC CX8 CMOV CLFSH SSE SSE2
 * (no MMX or FXSR: they are not implemented). Extensions that are implemented and therefore reported: CX16
 * (cmpxchg16b), POPCNT, LZCNT (ABM), BMI1 (andn bextr blsi blsmsk blsr tzcnt), LAHF/SAHF in 64-bit
 * mode, SYSCALL, NX, RDTSCP, long mode. Not reported: SSE3 and later, AVX*, BMI2, MOVBE, RDRAND.
 */

export interface CpuidResult {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}

function str4(s: string, at: number): number {
  let v = 0;
  for (let i = 3; i >= 0; i--) {
    const c = s.charCodeAt(at + i);
    v = (v << 8) | (Number.isNaN(c) ? 0 : c);
  }
  return v >>> 0;
}

const BRAND = "abi-lab emulated x86-64 CPU (SSE2)".padEnd(47, " ") + "\0";

export const CPUID_FEATURES = {
  /** Leaf 1 EDX: FPU TSC CX8 CMOV CLFSH SSE SSE2. */
  leaf1Edx: (1 << 0) | (1 << 4) | (1 << 8) | (1 << 15) | (1 << 19) | (1 << 25) | (1 << 26),
  /** Leaf 1 ECX: CX16, POPCNT. */
  leaf1Ecx: (1 << 13) | (1 << 23),
  /** Leaf 7 EBX: BMI1. */
  leaf7Ebx: 1 << 3,
  /** Leaf 0x80000001 ECX: LAHF-SAHF, ABM (lzcnt). */
  ext1Ecx: (1 << 0) | (1 << 5),
  /** Leaf 0x80000001 EDX: SYSCALL, NX, RDTSCP, LM. */
  ext1Edx: (1 << 11) | (1 << 20) | (1 << 27) | (1 << 29),
};

export function cpuid(leaf: number, subleaf: number): CpuidResult {
  const z = { eax: 0, ebx: 0, ecx: 0, edx: 0 };
  switch (leaf >>> 0) {
    case 0:
      return {
        eax: 7,
        ebx: str4("GenuineIntel", 0),
        edx: str4("GenuineIntel", 4),
        ecx: str4("GenuineIntel", 8),
      };
    case 1:
      return {
        eax: 0x000306a9,
        ebx: 0x00010800,
        ecx: CPUID_FEATURES.leaf1Ecx,
        edx: CPUID_FEATURES.leaf1Edx,
      };
    case 7:
      return subleaf === 0 ? { ...z, ebx: CPUID_FEATURES.leaf7Ebx } : z;
    case 0x80000000:
      return { ...z, eax: 0x80000008 };
    case 0x80000001:
      return { ...z, ecx: CPUID_FEATURES.ext1Ecx, edx: CPUID_FEATURES.ext1Edx };
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const at = ((leaf >>> 0) - 0x80000002) * 16;
      return {
        eax: str4(BRAND, at),
        ebx: str4(BRAND, at + 4),
        ecx: str4(BRAND, at + 8),
        edx: str4(BRAND, at + 12),
      };
    }
    case 0x80000008:
      return { ...z, eax: 0x3027 }; // 39 physical, 48 linear address bits
    default:
      return z;
  }
}
