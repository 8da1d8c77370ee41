// Exact thresholds on a trend's max and avg: k6 keeps every value, loadproof an HDR histogram.

import { Trend } from 'k6/metrics';

const sizes = new Trend('exact_sizes');

export const options = {
  iterations: 4,
  thresholds: {
    exact_sizes: ['max==4', 'avg==2.5', 'min==1'],
  },
};

export default function () {
  sizes.add(1);
  sizes.add(4);
}
