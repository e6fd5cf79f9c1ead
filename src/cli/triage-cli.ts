// The desk's commands, registered on the program: wallets, alerts resolve (with a disposition), anomalies close
// and review, suppressions, report dispositions. The work is in commands/triage.ts.
import { type Command, Option } from "commander";
import type { GlobalOptions } from "./context.ts";
import {
  alertsCloseCommand,
  anomaliesCloseCommand,
  anomaliesReviewCommand,
  dispositionsReportCommand,
  suppressionsAddCommand,
  suppressionsListCommand,
  suppressionsRemoveCommand,
  walletsEditCommand,
  walletsListCommand,
} from "./commands/triage.ts";
import { DISPOSITIONS } from "../model/triage.ts";
import { UsageError } from "../internal/errors.ts";
import { alertsActCommand } from "./commands/rules.ts";

type Wrap = <A extends unknown[]>(fn: (...a: A) => Promise<number> | number) => (...a: A) => Promise<void>;
type Parts = { program: Command; alerts: Command; anomalies: Command; g: () => GlobalOptions; wrap: Wrap };

/** The options closing an alert or finding takes: disposition, reason, and an optional suppression. */
function closeOptions(c: Command): Command {
  return c
    .addOption(new Option("--disposition <d>", "what it turned out to be").choices(DISPOSITIONS).makeOptionMandatory())
    .requiredOption("--reason <text>", "why")
    .option("--by <name>", "who (default: the OS user)")
    .option("--suppress", "keep the same condition from reopening (false positive or benign only)")
    .option(
      "--factor <x>",
      "with --suppress: reopen once the value reaches x times today's (default triage.reopen_factor)",
    )
    .option("--until <date>", "with --suppress: the suppression ends then (ISO date or time; default: until removed)");
}

export function registerTriage(p: Parts): void {
  registerWallets(p);
  registerClosing(p);
  registerSuppressions(p);
}

function registerWallets({ program, g, wrap }: Parts): void {
  const wallets = program.command("wallets").description("watched wallets (kept in the config file)");
  wallets
    .command("list")
    .description("list the watched wallets")
    .option("--json", "print as JSON")
    .action(wrap((o: { json?: boolean }) => walletsListCommand({ ...g(), ...o })));
  wallets
    .command("add")
    .description("watch a wallet: added to the config file (comments kept; validated first)")
    .argument("<address>", "TRON address")
    .option("--label <name>", "name shown in reports")
    .option("--profile <name>", "detector settings profile (exchange, treasury, personal or your own)")
    .action(
      wrap((a: string, o: { label?: string; profile?: string }) => walletsEditCommand("add", a, { ...g(), ...o })),
    );
  wallets
    .command("remove")
    .description("stop watching a wallet (by address or label); its stored rows are kept")
    .argument("<wallet>", "address or label")
    .action(wrap((a: string) => walletsEditCommand("remove", a, g())));
}

function registerClosing({ alerts, anomalies, g, wrap }: Parts): void {
  type ResolveFlags = Omit<Parameters<typeof alertsCloseCommand>[1], "reason" | "disposition"> & {
    note: string;
    disposition?: string;
  };
  alerts
    .command("resolve")
    .description("resolve an alert; with --disposition its precision is recorded (and --suppress keeps it closed)")
    .argument("<id>", "alert id")
    .requiredOption("--note <text>", "why (the disposition's reason)")
    .addOption(new Option("--disposition <d>", "what it turned out to be").choices(DISPOSITIONS))
    .option("--by <name>", "who (default: the OS user)")
    .option("--suppress", "with --disposition false_positive or benign: keep the same condition from reopening")
    .option(
      "--factor <x>",
      "with --suppress: reopen once the value reaches x times today's (default triage.reopen_factor)",
    )
    .option("--until <date>", "with --suppress: the suppression ends then (ISO date or time; default: until removed)")
    .action(
      wrap((id: string, o: ResolveFlags) => {
        if (o.disposition) return alertsCloseCommand(id, { ...g(), ...o, disposition: o.disposition, reason: o.note });
        if (o.suppress) throw new UsageError("alerts resolve: --suppress needs --disposition false_positive or benign");
        return alertsActCommand("resolve", id, { ...g(), ...o });
      }),
    );
  closeOptions(
    anomalies
      .command("close")
      .description("close a finding with a disposition (and optionally suppress it)")
      .argument("<id>", "finding id (anomalies list)")
      .option("--any-counterparty", "with --suppress: for every counterparty, not only this finding's"),
  ).action(
    wrap((id: string, o: Parameters<typeof anomaliesCloseCommand>[1]) => anomaliesCloseCommand(id, { ...g(), ...o })),
  );
  anomalies
    .command("review")
    .description("mark a wallet's findings of one type on one UTC day reviewed (the dashboard's grouped feed)")
    .requiredOption("--wallet <wallet>", "address or label")
    .requiredOption("--type <type>", "anomaly type")
    .requiredOption("--day <date>", "UTC day of the activity (YYYY-MM-DD)")
    .option("--by <name>", "who (default: the OS user)")
    .action(
      wrap((o: { wallet: string; type: string; day: string; by?: string }) => anomaliesReviewCommand({ ...g(), ...o })),
    );
}

function registerSuppressions({ program, g, wrap }: Parts): void {
  const suppressions = program
    .command("suppressions")
    .description("conditions kept from reopening (wallet x rule or detector x counterparty, until a date)");
  suppressions
    .command("list")
    .description("the suppressions in force (--all: ended ones too)")
    .option("--all", "every suppression ever made, with when it ended")
    .option("--json", "print as JSON")
    .action(wrap((o: { all?: boolean; json?: boolean }) => suppressionsListCommand({ ...g(), ...o })));
  suppressions
    .command("add")
    .description("suppress a rule or a detector for a wallet (an allow-list entry with --counterparty)")
    .requiredOption("--wallet <wallet>", "address or label")
    .option("--rule <name>", "a rule's name")
    .option("--detector <type>", "an anomaly type")
    .option("--counterparty <address>", "with --detector: only findings about this counterparty")
    .requiredOption("--reason <text>", "why")
    .option("--until <date>", "ends then (default: until removed)")
    .option("--factor <x>", "reopen once the value reaches x times --baseline (default triage.reopen_factor)")
    .option("--baseline <value>", "the value the factor multiplies (none: only --until or removal ends it)")
    .option("--by <name>", "who (default: the OS user)")
    .action(wrap((o: Parameters<typeof suppressionsAddCommand>[0]) => suppressionsAddCommand({ ...g(), ...o })));
  suppressions
    .command("remove")
    .description("end a suppression now (recorded, not deleted)")
    .argument("<id>", "suppression id")
    .option("--by <name>", "who (default: the OS user)")
    .action(wrap((id: string, o: { by?: string }) => suppressionsRemoveCommand(id, { ...g(), ...o })));

  program
    .command("report")
    .description("reports on the analysts' decisions")
    .command("dispositions")
    .description("per rule and detector: true/false positives, benign, precision")
    .option("--since <date>", "only decisions from then on")
    .option("--json", "print as JSON")
    .action(wrap((o: { since?: string; json?: boolean }) => dispositionsReportCommand({ ...g(), ...o })));
}
