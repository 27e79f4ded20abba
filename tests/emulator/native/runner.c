/*
 * Native side of the emulator's differential test: runs x86-64 code snippets on the real CPU and
 * prints the final machine state, so that the same snippets can be compared with the emulator.
 *
 * stdin: any number of cases, each
 *     u32 code_len, u32 data_len,
 *     u64 gpr[16] (rax rcx rdx rbx rsp rbp rsi rdi r8..r15), u64 rflags,
 *     u8 xmm[16][16], u32 mxcsr,
 *     code bytes, data bytes.
 * The code is mapped read+execute at CODE_ADDR, the data read+write at DATA_ADDR. Each case runs
 * in a forked child: registers are loaded by a small trampoline and the code runs until a signal
 * (normally the int3 at its end; or a fault). The signal handler prints, on stdout:
 *     case <n>
 *     sig <signo> <si_addr hex> <rip hex>
 *     gpr <16 hex values>
 *     flags <rflags hex>
 *     mxcsr <hex>
 *     xmm <16 x 32 hex digits>
 *     data <hex bytes>
 *     end
 * A case that hangs is stopped after three seconds and reported as "sig 14".
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define CODE_ADDR 0x10000000UL
#define DATA_ADDR 0x20000000UL

struct state {
  uint64_t gpr[16];
  uint64_t rflags;
  uint8_t xmm[256];
  uint32_t mxcsr;
} __attribute__((packed));

struct state g_state;
uint64_t g_code = CODE_ADDR;
static uint32_t g_data_len;
static int g_case;

void enter_guest(void);
__asm__(
    ".text\n"
    ".globl enter_guest\n"
    "enter_guest:\n"
    ".intel_syntax noprefix\n"
    "  lea rax, [rip + g_state]\n"
    "  movdqu xmm0, [rax + 136]\n"
    "  movdqu xmm1, [rax + 152]\n"
    "  movdqu xmm2, [rax + 168]\n"
    "  movdqu xmm3, [rax + 184]\n"
    "  movdqu xmm4, [rax + 200]\n"
    "  movdqu xmm5, [rax + 216]\n"
    "  movdqu xmm6, [rax + 232]\n"
    "  movdqu xmm7, [rax + 248]\n"
    "  movdqu xmm8, [rax + 264]\n"
    "  movdqu xmm9, [rax + 280]\n"
    "  movdqu xmm10, [rax + 296]\n"
    "  movdqu xmm11, [rax + 312]\n"
    "  movdqu xmm12, [rax + 328]\n"
    "  movdqu xmm13, [rax + 344]\n"
    "  movdqu xmm14, [rax + 360]\n"
    "  movdqu xmm15, [rax + 376]\n"
    "  ldmxcsr [rax + 392]\n"
    "  push qword ptr [rax + 128]\n"
    "  popfq\n"
    "  mov rcx, [rax + 8]\n"
    "  mov rdx, [rax + 16]\n"
    "  mov rbx, [rax + 24]\n"
    "  mov rbp, [rax + 40]\n"
    "  mov rsi, [rax + 48]\n"
    "  mov rdi, [rax + 56]\n"
    "  mov r8, [rax + 64]\n"
    "  mov r9, [rax + 72]\n"
    "  mov r10, [rax + 80]\n"
    "  mov r11, [rax + 88]\n"
    "  mov r12, [rax + 96]\n"
    "  mov r13, [rax + 104]\n"
    "  mov r14, [rax + 112]\n"
    "  mov r15, [rax + 120]\n"
    "  mov rsp, [rax + 32]\n"
    "  mov rax, [rax]\n"
    "  jmp [rip + g_code]\n"
    ".att_syntax prefix\n");

static char out[1 << 16];
static size_t outn;

static void put(const char *s) {
  while (*s && outn < sizeof out) out[outn++] = *s++;
}

static void puthex(uint64_t v, int digits) {
  static const char h[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; i--) {
    if (outn < sizeof out) out[outn++] = h[(v >> (4 * i)) & 15];
  }
}

static void putnum(int v) {
  char b[16];
  int n = 0;
  if (v == 0) b[n++] = '0';
  while (v > 0) {
    b[n++] = (char)('0' + v % 10);
    v /= 10;
  }
  while (n > 0) {
    if (outn < sizeof out) out[outn++] = b[--n];
  }
}

static void flush_out(void) {
  size_t done = 0;
  while (done < outn) {
    ssize_t w = write(1, out + done, outn - done);
    if (w <= 0) break;
    done += (size_t)w;
  }
  outn = 0;
}

static const int order[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                              REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

static void handler(int sig, siginfo_t *si, void *ctx) {
  alarm(0);
  ucontext_t *uc = (ucontext_t *)ctx;
  put("case ");
  putnum(g_case);
  put("\nsig ");
  putnum(sig);
  put(" ");
  puthex((uint64_t)si->si_addr, 16);
  put(" ");
  puthex((uint64_t)uc->uc_mcontext.gregs[REG_RIP], 16);
  put("\ngpr");
  for (int i = 0; i < 16; i++) {
    put(" ");
    puthex((uint64_t)uc->uc_mcontext.gregs[order[i]], 16);
  }
  put("\nflags ");
  puthex((uint64_t)uc->uc_mcontext.gregs[REG_EFL], 16);
  put("\nmxcsr ");
  puthex(uc->uc_mcontext.fpregs->mxcsr, 8);
  put("\nxmm");
  for (int i = 0; i < 16; i++) {
    put(" ");
    const uint8_t *x = (const uint8_t *)&uc->uc_mcontext.fpregs->_xmm[i];
    for (int j = 0; j < 16; j++) puthex(x[j], 2);
  }
  put("\ndata ");
  flush_out();
  const uint8_t *d = (const uint8_t *)DATA_ADDR;
  for (uint32_t i = 0; i < g_data_len; i++) {
    puthex(d[i], 2);
    if (outn > sizeof out - 64) flush_out();
  }
  put("\nend\n");
  flush_out();
  _exit(0);
}

static int read_all(void *p, size_t n) {
  uint8_t *b = p;
  while (n > 0) {
    ssize_t r = read(0, b, n);
    if (r <= 0) return -1;
    b += r;
    n -= (size_t)r;
  }
  return 0;
}

static size_t page_round(size_t n) { return (n + 4095) & ~(size_t)4095; }

static void run_case(uint8_t *code, uint32_t code_len, uint8_t *data) {
  static uint8_t altstack[1 << 16];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = handler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  /* Block every other signal while the handler prints: an alarm arriving then would print the case twice. */
  sigfillset(&sa.sa_mask);
  int sigs[] = {SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGALRM};
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
  void *c = mmap((void *)CODE_ADDR, page_round(code_len), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  void *d = mmap((void *)DATA_ADDR, page_round(g_data_len), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (c != (void *)CODE_ADDR || d != (void *)DATA_ADDR) {
    put("case ");
    putnum(g_case);
    put("\nerror mmap\nend\n");
    flush_out();
    _exit(1);
  }
  memcpy(c, code, code_len);
  memcpy(d, data, g_data_len);
  mprotect(c, page_round(code_len), PROT_READ | PROT_EXEC);
  alarm(3); /* generous: on a loaded machine a niced child may wait a while for a CPU */
  enter_guest();
}

int main(void) {
  for (g_case = 0;; g_case++) {
    uint32_t lens[2];
    if (read_all(lens, sizeof lens) != 0) break;
    if (read_all(&g_state, sizeof g_state) != 0) return 1;
    uint8_t *code = malloc(lens[0] + 1);
    uint8_t *data = malloc(lens[1] + 1);
    if (read_all(code, lens[0]) != 0 || read_all(data, lens[1]) != 0) return 1;
    g_data_len = lens[1];
    pid_t pid = fork();
    if (pid == 0) run_case(code, lens[0], data);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      put("case ");
      putnum(g_case);
      put("\nerror child status ");
      putnum(status);
      put("\nend\n");
      flush_out();
    }
    free(code);
    free(data);
  }
  return 0;
}
