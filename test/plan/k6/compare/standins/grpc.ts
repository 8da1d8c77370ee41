/**
 * The gRPC server the grpc examples expect (k6's examples/grpc_server, route_guide.proto), on
 * @grpc/grpc-js with server reflection: a fixed feature list, GetFeature, ListFeatures (the
 * features inside the rectangle), RecordRoute (counts the points, sums no distances), RouteChat
 * (every note sent back).
 */
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';

const PROTO = new URL('../examples/grpc_server/route_guide.proto', import.meta.url).pathname;

interface Point {
  latitude: number;
  longitude: number;
}

const FEATURES = [
  {
    name: 'Berkshire Valley Management Area Trail, Jefferson, NJ, USA',
    location: { latitude: 409146138, longitude: -746188906 },
  },
  {
    name: '3387 Richmond Terrace, Staten Island, NY 10303, USA',
    location: { latitude: 410248224, longitude: -747127767 },
  },
  {
    name: '101 New Jersey 10, Whippany, NJ 07981, USA',
    location: { latitude: 408122808, longitude: -743999179 },
  },
];

const inside = (p: Point, lo: Point, hi: Point) =>
  p.latitude >= Math.min(lo.latitude, hi.latitude) &&
  p.latitude <= Math.max(lo.latitude, hi.latitude) &&
  p.longitude >= Math.min(lo.longitude, hi.longitude) &&
  p.longitude <= Math.max(lo.longitude, hi.longitude);

export interface GrpcStandIn {
  address: string;
  close(): Promise<void>;
}

export async function startGrpcStandIn(): Promise<GrpcStandIn> {
  const definition = loadSync(PROTO, { keepCase: false, longs: Number, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition).main as grpc.GrpcObject;
  const server = new grpc.Server();
  const featureAt = (p: Point) =>
    FEATURES.find((f) => f.location.latitude === p.latitude && f.location.longitude === p.longitude) ?? {
      name: '',
      location: p,
    };
  server.addService((pkg.FeatureExplorer as grpc.ServiceClientConstructor).service, {
    GetFeature: (call: grpc.ServerUnaryCall<Point, unknown>, done: grpc.sendUnaryData<unknown>) =>
      done(null, featureAt(call.request)),
    ListFeatures: (call: grpc.ServerWritableStream<{ lo: Point; hi: Point }, unknown>) => {
      for (const f of FEATURES) if (inside(f.location, call.request.lo, call.request.hi)) call.write(f);
      call.end();
    },
  });
  server.addService((pkg.RouteGuide as grpc.ServiceClientConstructor).service, {
    RecordRoute: (call: grpc.ServerReadableStream<Point, unknown>, done: grpc.sendUnaryData<unknown>) => {
      let points = 0;
      let features = 0;
      call.on('data', (p: Point) => {
        points++;
        if (featureAt(p).name) features++;
      });
      call.on('end', () =>
        done(null, { pointCount: points, featureCount: features, distance: 0, elapsedTime: 0 }),
      );
    },
    RouteChat: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      call.on('data', (note) => call.write(note));
      call.on('end', () => call.end());
    },
  });
  new ReflectionService(definition).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}
