// The AWS SDK costs ~25 MB resident and noticeable start-up time: only the
// commands that really talk to S3 load it, on first use.
export type S3Sdk = typeof import('@aws-sdk/client-s3');
export type UploadSdk = typeof import('@aws-sdk/lib-storage');
export type CloudFrontSdk = typeof import('@aws-sdk/client-cloudfront');

let s3: Promise<S3Sdk> | undefined;
let upload: Promise<UploadSdk> | undefined;
let cloudfront: Promise<CloudFrontSdk> | undefined;

export function loadS3Sdk(): Promise<S3Sdk> {
  // The SDK warns about Node 20 once per process; the CLI output stays clean.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return (s3 ??= import('@aws-sdk/client-s3'));
}

export function loadUploadSdk(): Promise<UploadSdk> {
  return (upload ??= import('@aws-sdk/lib-storage'));
}

export function loadCloudFrontSdk(): Promise<CloudFrontSdk> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return (cloudfront ??= import('@aws-sdk/client-cloudfront'));
}
