/** The service's Prometheus metrics, in the text exposition format. */
export class ClinicMetrics {
  readonly requests = new Map<string, number>();
  readonly operations = new Map<string, number>();
  retries = 0;
  transactions = 0;
  groupedOperations = 0;
  retriesExhausted = 0;
  rateLimited = 0;

  countRequest(route: string, method: string, status: number): void {
    const k = `method="${method}",route="${route}",status="${status}"`;
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
  }

  countTransaction(operations: number): void {
    this.transactions++;
    this.groupedOperations += operations;
  }

  countOperation(op: string, result: string): void {
    const k = `operation="${op}",result="${result}"`;
    this.operations.set(k, (this.operations.get(k) ?? 0) + 1);
  }

  render(pool: { totalCount: number; idleCount: number; waitingCount: number }, poolMax: number): string {
    const lines = [
      '# HELP clinic_http_requests_total Requests answered, by route and status.',
      '# TYPE clinic_http_requests_total counter',
      ...[...this.requests].map(([k, v]) => `clinic_http_requests_total{${k}} ${v}`),
      '# HELP clinic_unit_operations_total Unit operations by result.',
      '# TYPE clinic_unit_operations_total counter',
      ...[...this.operations].map(([k, v]) => `clinic_unit_operations_total{${k}} ${v}`),
      '# HELP clinic_tx_committed_total Unit-operation transactions committed.',
      '# TYPE clinic_tx_committed_total counter',
      `clinic_tx_committed_total ${this.transactions}`,
      '# HELP clinic_tx_operations_total Unit operations those transactions applied (group commit).',
      '# TYPE clinic_tx_operations_total counter',
      `clinic_tx_operations_total ${this.groupedOperations}`,
      '# HELP clinic_tx_retries_total Transactions retried after a serialization failure or deadlock.',
      '# TYPE clinic_tx_retries_total counter',
      `clinic_tx_retries_total ${this.retries}`,
      '# HELP clinic_tx_retries_exhausted_total Operations answered 503 because every retry failed.',
      '# TYPE clinic_tx_retries_exhausted_total counter',
      `clinic_tx_retries_exhausted_total ${this.retriesExhausted}`,
      '# HELP clinic_rate_limited_total Requests answered 429.',
      '# TYPE clinic_rate_limited_total counter',
      `clinic_rate_limited_total ${this.rateLimited}`,
      '# HELP clinic_db_pool_connections Database pool connections by state.',
      '# TYPE clinic_db_pool_connections gauge',
      `clinic_db_pool_connections{state="total"} ${pool.totalCount}`,
      `clinic_db_pool_connections{state="idle"} ${pool.idleCount}`,
      `clinic_db_pool_connections{state="max"} ${poolMax}`,
      '# HELP clinic_db_pool_waiting Requests waiting for a database connection.',
      '# TYPE clinic_db_pool_waiting gauge',
      `clinic_db_pool_waiting ${pool.waitingCount}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}
